#!/usr/bin/env bash
# Healthcheck cost: a container checked every 100 ms for a minute. Samples its monitor's
# CPU time (utime+stime from /proc/PID/stat) and open descriptors at 10 s, 30 s and 60 s;
# both must stay flat (no leak per check), and CPU per check stays small.
# Usage: engine/benches/health.sh [SECONDS]   (as root; needs busybox-static)
set -euo pipefail
cd "$(dirname "$0")/../.."
. engine/benches/lib.sh
SECS=${1:-60}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-healthbench.XXXXXX)
export BERTH_ROOT=$W/root BERTH_RUN_ROOT=$W/run BERTH_CGROUP_PARENT=berth-healthbench-$$
cleanup() {
    $BERTH rm -f hb >/dev/null 2>&1 || true
    remove_root_links "$BERTH_ROOT"
    rm -rf "$W"
}
trap cleanup EXIT
$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" bench >/dev/null
$BERTH run -d --name hb --network none --health-cmd 'true' --health-interval 100ms bench sleep 100000 >/dev/null
ID=$($BERTH inspect -f '{{.Id}}' hb)
MON=$(python3 -c "import json,sys; print(json.load(open('$BERTH_ROOT/containers/$ID/state.json'))['monitor_pid'])")
TICK=$(getconf CLK_TCK)
sample() {
    local t=$1 cpu fds checks
    cpu=$(awk -v tick="$TICK" '{ s = substr($0, index($0, ") ") + 2); split(s, f, " "); printf "%.2f", (f[12] + f[13]) / tick }' "/proc/$MON/stat")
    fds=$(ls "/proc/$MON/fd" | wc -l)
    checks=$(grep -c '"check"' "$BERTH_ROOT/containers/$ID/health-history.jsonl" || true)
    echo "t=${t}s monitor_cpu=${cpu}s open_fds=${fds} checks=${checks}"
}
start=$(date +%s)
for t in 10 30 "$SECS"; do
    now=$(( $(date +%s) - start ))
    [ "$t" -gt "$now" ] && sleep $(( t - now ))
    sample "$t"
done
$BERTH inspect -f 'status={{.State.Health.Status}} streak={{.State.Health.FailingStreak}}' hb
