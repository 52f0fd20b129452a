#!/usr/bin/env bash
# Make sure a Docker engine answers. CI machines start without one: install Debian's docker.io and
# start dockerd the way this sandbox allows (no iptables, vfs storage). Failing to get one is an error.
set -euo pipefail
if docker info >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dockerd >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
(dockerd --iptables=false --storage-driver=vfs >/tmp/dockerd.log 2>&1 &)
for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && exit 0
    sleep 1
done
echo "no Docker engine after 60 s; see /tmp/dockerd.log" >&2
exit 1
