#!/usr/bin/env bash
# Networking benchmark: `run --rm --network NET IMAGE true` with hyperfine, and the wall
# time to start 50 detached containers on one network, for berth and podman side by side.
# Usage: engine/benches/network.sh [RUNS]   (as root; needs hyperfine, podman, busybox-static)
set -euo pipefail
cd "$(dirname "$0")/../.."
. engine/benches/lib.sh
RUNS=${1:-20}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-netbench.XXXXXX)
export BERTH_ROOT=$W/berth-root BERTH_RUN_ROOT=$W/berth-run BERTH_CGROUP_PARENT=berth-netbench-$$
PODMAN="podman --root $W/proot --runroot $W/prun --storage-driver vfs --runtime runc --cgroup-manager cgroupfs"
PFLAGS="--ulimit nofile=1024:1024 --ulimit nproc=1000:1000"
# podman's netavark leaves its iptables-nft chains behind; tables that were not there
# before the benchmark are removed after it.
PRE_TABLES=$(nft list tables 2>/dev/null || true)
cleanup() {
    $BERTH rm -f $($BERTH ps -aq) >/dev/null 2>&1 || true
    $BERTH network rm benchnet >/dev/null 2>&1 || true
    remove_root_links "$BERTH_ROOT"
    $PODMAN rm -af >/dev/null 2>&1 || true
    $PODMAN network rm -f benchnet >/dev/null 2>&1 || true
    $PODMAN rmi -af >/dev/null 2>&1 || true
    rm -rf "$W" 2>/dev/null || true
    for t in "ip nat" "ip filter" "ip6 nat" "ip6 filter"; do
        grep -qx "table $t" <<<"$PRE_TABLES" || nft delete table $t 2>/dev/null || true
    done
}
trap cleanup EXIT

$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" bench:latest >/dev/null
$BERTH network create --subnet 10.251.0.0/24 benchnet >/dev/null
$PODMAN import "$W/rootfs.tar" bench:latest >/dev/null
$PODMAN network create --subnet 10.252.0.0/24 benchnet >/dev/null

hyperfine --warmup 3 --runs "$RUNS" --export-json "$W/run.json" \
    -n berth "$BERTH run --rm --network benchnet bench true" \
    -n podman "$PODMAN run --rm --network benchnet $PFLAGS bench true" \
    -n berth-p "$BERTH run --rm --network benchnet -p 127.0.0.1::80 bench true" \
    -n podman-p "$PODMAN run --rm --network benchnet -p 127.0.0.1::80 $PFLAGS bench true"

start50() {
    local t0 t1
    t0=$(date +%s%N)
    for _ in $(seq 1 50); do "$@" >/dev/null; done
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}
b50=$(start50 $BERTH run -d --network benchnet bench sleep 600)
p50=$(start50 $PODMAN run -d --network benchnet $PFLAGS bench sleep 600)

python3 - "$W/run.json" "$b50" "$p50" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"run --rm --network: berth/podman median ratio {r['berth']/r['podman']:.3f} (berth {r['berth']*1000:.1f} ms, podman {r['podman']*1000:.1f} ms)")
print(f"run --rm --network -p: berth/podman median ratio {r['berth-p']/r['podman-p']:.3f} (berth {r['berth-p']*1000:.1f} ms, podman {r['podman-p']*1000:.1f} ms)")
b, p = int(sys.argv[2]), int(sys.argv[3])
print(f"50 containers on one network: berth {b} ms, podman {p} ms, ratio {b/p:.3f}")
PY
