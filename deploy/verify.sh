#!/usr/bin/env bash
# `make deploy-check`: validate the manifests and the Dockerfile, then build the image offline and
# smoke-test it for real. Run from the repository root; needs root for the Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
K8S_VERSION=${K8S_VERSION:-1.35.0}
IMAGE=${KLING_MCP_IMAGE:-kling-mcp:ci}
BASE=${BASE_IMAGE:-local/python-base:bookworm}
VENV=.venv-deploy

step() { printf '\n== %s\n' "$*"; }

step "verification tools"
[ -x "$VENV/bin/checkov" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r deploy/requirements-verify.txt; }

step "kustomize render + kubernetes-validate --strict (Kubernetes $K8S_VERSION)"
rendered=$(mktemp -d)
for target in deploy/base deploy/overlays/production deploy/prometheus-adapter; do
    out="$rendered/$(basename "$target").yaml"
    kubectl kustomize "$target" > "$out"
    report=$("$VENV/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "$out" 2>&1) || { echo "$report"; exit 1; }
    echo "$report"
    # It warns (exit 0) on removed or unknown APIs; treat that as a failure.
    if grep -q WARN <<<"$report"; then echo "kubernetes-validate warned on $target" >&2; exit 1; fi
done

step "checkov (Kubernetes, Dockerfile)"
# On what gets applied: the overlay. The base leaves the namespace to overlays on purpose.
"$VENV/bin/checkov" --config-file deploy/checkov.yaml -f "$rendered/production.yaml" --framework kubernetes
"$VENV/bin/checkov" --config-file deploy/checkov.yaml -f Dockerfile --framework dockerfile

step "hadolint, yamllint"
"$VENV/bin/hadolint" Dockerfile
"$VENV/bin/yamllint" -d '{extends: relaxed, rules: {line-length: {max: 120}}}' deploy docker-compose.yml

step "manifest cross-checks"
KLING_MCP_REQUIRE_KUBECTL=1 .venv/bin/pytest -q -p no:cacheprovider tests/deploy/test_manifests.py

step "Docker engine, local base image, wheelhouse"
deploy/docker/engine.sh
deploy/docker/build-base.sh "$BASE"
rm -f wheels/*.whl
.venv/bin/pip wheel -q -w wheels -c constraints.txt .

step "image build with no network"
docker build --network none --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" .
docker image ls "$IMAGE"

step "container smoke test"
KLING_MCP_IMAGE="$IMAGE" .venv/bin/pytest -q -p no:cacheprovider -m container tests/deploy/test_container.py

step "cleanup"
docker image prune -f >/dev/null  # vfs keeps full copies of every intermediate image
