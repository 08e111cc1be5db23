#!/usr/bin/env bash
# Time `berth run --rm IMAGE true` side by side with `runc run` of the same rootfs and
# `podman run --rm` of the same image, with hyperfine, and print median ratios.
# Usage: engine/benches/run_vs_peers.sh [RUNS]   (as root; needs hyperfine, runc, podman,
# busybox-static; builds berth in release mode first).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-30}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
cleanup() {
    runc --root "$W/runc-state" delete -f bench >/dev/null 2>&1 || true
    podman --root "$W/proot" --runroot "$W/prun" --storage-driver vfs rm -af >/dev/null 2>&1 || true
    podman --root "$W/proot" --runroot "$W/prun" --storage-driver vfs rmi -af >/dev/null 2>&1 || true
    rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
export BERTH_ROOT=$W/berth-root BERTH_RUN_ROOT=$W/berth-run BERTH_CGROUP_PARENT=berth-bench-$$

# One rootfs tarball for all three.
$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" bench:latest >/dev/null

# runc: an OCI bundle of the same rootfs, no network namespace setup beyond runc's own.
mkdir -p "$W/bundle/rootfs"
tar -C "$W/bundle/rootfs" -xf "$W/rootfs.tar"
(cd "$W/bundle" && runc spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"/"true"/' config.json)

# podman: same tarball imported, flags that work on this machine (see DESIGN.md).
PODMAN="podman --root $W/proot --runroot $W/prun --storage-driver vfs --runtime runc --cgroup-manager cgroupfs"
$PODMAN import "$W/rootfs.tar" bench:latest >/dev/null

hyperfine --warmup 3 --runs "$RUNS" --export-json "$W/result.json" \
    -n berth "$BERTH run --rm --network none bench true" \
    -n runc "runc --root $W/runc-state run --bundle $W/bundle bench" \
    -n podman "$PODMAN run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 bench true"

python3 - "$W/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
b = r["berth"]["median"]
for peer in ("runc", "podman"):
    p = r[peer]["median"]
    print(f"berth/{peer} median ratio: {b/p:.3f}  (berth {b*1000:.1f} ms, {peer} {p*1000:.1f} ms)")
PY
