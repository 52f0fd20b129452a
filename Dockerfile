# kling-mcp image. Standard build:   docker build -t kling-mcp .
# Air-gapped build: put every wheel in wheels/ (make wheelhouse), then
#   docker build --network none --build-arg BASE_IMAGE=<a local Python 3.11+ image> -t kling-mcp .
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /venv
WORKDIR /build
COPY wheels/ wheels/
COPY pyproject.toml constraints.txt README.md ./
COPY app/ app/
# With a wheelhouse nothing is fetched; without one, dependencies come from the package index.
RUN if ls wheels/*.whl >/dev/null 2>&1; then \
        /venv/bin/pip install --no-index --find-links=wheels -c constraints.txt kling-mcp; \
    else \
        /venv/bin/pip install -c constraints.txt . ; \
    fi \
    && /venv/bin/kling-mcp --version

FROM ${BASE_IMAGE}
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KLING_MCP_HOST=0.0.0.0 \
    KLING_MCP_PORT=8000 \
    KLING_MCP_LOG_FORMAT=json \
    # glibc: keep buffers over 256 KiB (request bodies, base64 audio) in their own mappings, so memory
    # goes back to the system when a call ends (bench/memory_bench.py: 112 -> 82 MiB after a burst).
    MALLOC_MMAP_THRESHOLD_=262144
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin kling
COPY --from=builder /venv /venv
USER 10001
WORKDIR /tmp
EXPOSE 8000 9100
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python3", "-c", "import os, sys, urllib.request as u; r = u.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('KLING_MCP_PORT', '8000'), timeout=2); sys.exit(0 if r.status == 200 else 1)"]
ENTRYPOINT ["kling-mcp"]
CMD ["serve"]
