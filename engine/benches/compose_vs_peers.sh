#!/usr/bin/env bash
# Time `berth compose up -d` and `down` of a 10-service project on one network side by
# side with docker-compose (Debian's, against a private dockerd) and podman-compose
# (PyPI's, over podman with runc), with hyperfine, and print median ratios against the
# faster peer: `up -d` from nothing (the previous run's `down` is the preparation), and
# `down` of a project that is up.
# Usage: engine/benches/compose_vs_peers.sh [RUNS]   (as root; needs hyperfine, podman,
# runc, docker.io, docker-compose, python3-venv, busybox-static; PyPI for podman-compose;
# builds berth in release mode first).
set -euo pipefail
cd "$(dirname "$0")/../.."
. engine/benches/lib.sh
RUNS=${1:-5}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
mkdir -p "$W/dockerd" "$W/proj"
PODMAN_ARGS="--root $W/proot --runroot $W/prun --storage-driver overlay --runtime runc --cgroup-manager cgroupfs --events-backend none"
cleanup() {
    (cd "$W/proj" && $BERTH compose -p bench down >/dev/null 2>&1) || true
    (cd "$W/proj" && "$W/venv/bin/podman-compose" --podman-args="$PODMAN_ARGS" -p bench down >/dev/null 2>&1) || true
    podman $PODMAN_ARGS rm -af >/dev/null 2>&1 || true
    podman $PODMAN_ARGS network rm -f bench_default >/dev/null 2>&1 || true
    podman $PODMAN_ARGS rmi -af >/dev/null 2>&1 || true
    umount -l "$W/proot/overlay" >/dev/null 2>&1 || true
    stop_dockerd "$W/dockerd"
    remove_root_links "$BERTH_ROOT"
    rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
export BERTH_ROOT=$W/berth-root BERTH_RUN_ROOT=$W/berth-run BERTH_CGROUP_PARENT=berth-bench-$$

# podman-compose from PyPI, in a venv of the bench's own.
python3 -m venv "$W/venv" >/dev/null
"$W/venv/bin/pip" install -q podman-compose >/dev/null

# One image for all three: berth's busybox.
$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" busybox:latest >/dev/null
$BERTH save -o "$W/busybox.tar" busybox:latest
podman $PODMAN_ARGS load -q -i "$W/busybox.tar" >/dev/null
start_dockerd "$W/dockerd"
$DOCKER load -q -i "$W/busybox.tar" >/dev/null

{
    echo "services:"
    for i in $(seq 1 10); do
        # The ulimits podman's runc needs here (see DESIGN.md), for all three alike; a
        # process that ends on SIGTERM, so `down` measures the tools, not a 10 s grace.
        printf '  s%d:\n    image: docker.io/library/busybox:latest\n    command: ["sh", "-c", "trap \x27exit 0\x27 TERM; sleep 3000 & wait"]\n    ulimits: {nofile: 1024, nproc: 1000}\n' "$i"
    done
} > "$W/proj/compose.yaml"
cd "$W/proj"

B="$BERTH compose -p bench"
D="DOCKER_HOST=unix://$W/dockerd/docker.sock docker-compose -p bench -f compose.yaml"
P="$W/venv/bin/podman-compose --podman-args='$PODMAN_ARGS' -p bench -f compose.yaml"

# Each tool once, to check it works here before timing it.
for t in "$B" "$D" "$P"; do
    bash -c "$t up -d" >/dev/null 2>&1 || { echo "failed: $t up -d" >&2; bash -c "$t up -d"; exit 1; }
    bash -c "$t down" >/dev/null 2>&1
done

hyperfine --runs "$RUNS" --export-json "$W/up.json" \
    --prepare "$B down >/dev/null 2>&1; bash -c \"$D down\" >/dev/null 2>&1; bash -c \"$P down\" >/dev/null 2>&1; true" \
    -n berth "$B up -d" -n docker-compose "bash -c \"$D up -d\"" -n podman-compose "bash -c \"$P up -d\"" >/dev/null
hyperfine --runs "$RUNS" --export-json "$W/down.json" \
    --prepare "$B up -d >/dev/null 2>&1; bash -c \"$D up -d\" >/dev/null 2>&1; bash -c \"$P up -d\" >/dev/null 2>&1; true" \
    -n berth "$B down" -n docker-compose "bash -c \"$D down\"" -n podman-compose "bash -c \"$P down\"" >/dev/null

python3 - "$W/up.json" "$W/down.json" <<'PY'
import json, sys
for name, path in (("up -d (10 services)", sys.argv[1]), ("down", sys.argv[2])):
    r = {x["command"]: x["median"] for x in json.load(open(path))["results"]}
    b, d, p = r["berth"], r["docker-compose"], r["podman-compose"]
    faster = min(d, p)
    print(f"{name}: berth/faster peer {b/faster:.3f}, berth/docker-compose {b/d:.3f}, "
          f"berth/podman-compose {b/p:.3f}  (berth {b*1000:.0f} ms, docker-compose "
          f"{d*1000:.0f} ms, podman-compose {p*1000:.0f} ms)")
PY
