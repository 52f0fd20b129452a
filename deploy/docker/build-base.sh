#!/usr/bin/env bash
# Build a minimal Debian bookworm + Python 3.11 base image from Debian packages alone, for machines
# that cannot pull from a registry. Result: local/python-base:bookworm (about 120 MB).
# Usage: deploy/docker/build-base.sh [TAG]
set -euo pipefail
TAG=${1:-local/python-base:bookworm}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOTFS=${ROOTFS:-$HERE/base-rootfs}

if docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "base image $TAG already present"
    exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }

# The same Debian mirrors the host uses (first URIs line: main archive; second: security).
SOURCES=/etc/apt/sources.list.d/debian.sources
MIRROR=${MIRROR:-$(awk '/^URIs:/ {print $2; exit}' "$SOURCES")}
SECURITY=${SECURITY:-$(awk '/^URIs:/ {n++; if (n == 2) {print $2; exit}}' "$SOURCES")}

if [ ! -x "$ROOTFS/usr/bin/python3" ]; then
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$ROOTFS" "$MIRROR"
fi
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$MIRROR" "$MIRROR" "$SECURITY" > "$ROOTFS/etc/apt/sources.list"
chroot "$ROOTFS" apt-get clean
# Trim what a server image never reads.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/usr/share/doc/* \
       "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/info/* "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/*
find "$ROOTFS/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
find "$ROOTFS"/usr/lib/python3* -name __pycache__ -type d -prune -exec rm -rf {} +
: > "$ROOTFS/etc/resolv.conf"

tar --numeric-owner -C "$ROOTFS" -c . | docker import \
    -c 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["python3"]' - "$TAG"
rm -rf "$ROOTFS"
echo "built $TAG"
