#!/usr/bin/env bash
# The real TUI, measured as a user runs it (release build, in tmux):
#  1. idle CPU with 1,000 containers listed (created, not running: the list and the
#     refresh are what cost), over IDLE seconds;
#  2. CPU and key response while the selected container floods its log (a shell loop
#     printing as fast as the engine takes it), on the logs pane;
#  3. how many lines a second the flood wrote, so the load is known.
# Frame times per pane are in `cargo bench -p berth --bench frame`.
# Usage: app/benches/tui.sh [IDLE_SECONDS]   (as root; needs busybox-static and tmux)
set -euo pipefail
cd "$(dirname "$0")/../.."
IDLE=${1:-30}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-tuibench.XXXXXX)
export BERTH_ROOT=$W/root BERTH_RUN_ROOT=$W/run BERTH_CGROUP_PARENT=berth-tuibench-$$
SOCK=berth-tuibench-$$
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    $BERTH rm -f flood >/dev/null 2>&1 || true
    # The root's own bridge and firewall table are named by its ID.
    if [ -f "$BERTH_ROOT/root-id" ]; then
        ip link del "berth$(cat "$BERTH_ROOT/root-id")" 2>/dev/null || true
        nft delete table ip "berth_$(cat "$BERTH_ROOT/root-id")" 2>/dev/null || true
    fi
    rm -rf "$W"
}
trap cleanup EXIT
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ s = substr($0, index($0, ") ") + 2); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }

$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" bench >/dev/null
echo "creating 1000 containers..."
for i in $(seq -w 1 1000); do
    $BERTH create --name "idle-$i" --network none bench true >/dev/null
done

tmux -L "$SOCK" new-session -d -s tui -x 200 -y 50 "env BERTH_ROOT=$BERTH_ROOT BERTH_RUN_ROOT=$BERTH_RUN_ROOT BERTH_CGROUP_PARENT=$BERTH_CGROUP_PARENT $BERTH"
screen() { tmux -L "$SOCK" capture-pane -p -t tui; }
for _ in $(seq 100); do screen | grep -q "Containers (1000)" && break; sleep 0.1; done
PID=$(pgrep -f "^$BERTH\$" | head -1)
sleep 2
t0=$(cpu_ticks "$PID"); s0=$(date +%s.%N)
sleep "$IDLE"
t1=$(cpu_ticks "$PID"); s1=$(date +%s.%N)
echo "idle, 1000 containers listed: $(echo "($t1-$t0)/$TICK*100/($s1-$s0)" | bc -l | xargs printf '%.2f')% of one CPU over ${IDLE}s"

# Key response: press a key and time until the screen shows its effect.
respond() {
    local key=$1 want=$2 start end
    start=$(date +%s%N)
    tmux -L "$SOCK" send-keys -t tui "$key"
    for _ in $(seq 500); do screen | grep -q -- "$want" && break; sleep 0.005; done
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
echo "key response idle (ms, pane switch): $(for i in 1 2 3 4 5; do respond 9 "─ Events ─" >/dev/null; respond 1 "Containers (1000)"; done | sort -n | xargs)"

$BERTH run -d --name flood --network none bench sh -c 'i=0; while true; do i=$((i+1)); echo "flood line $i"; done' >/dev/null
LOG=$BERTH_ROOT/containers/$($BERTH inspect -f '{{.Id}}' flood)/$($BERTH inspect -f '{{.Id}}' flood)-json.log
# Select the flood (the list sorts it first) and open its log.
tmux -L "$SOCK" send-keys -t tui g 5
for _ in $(seq 100); do screen | grep -q "flood line" && break; sleep 0.1; done
sleep 1
l0=$(wc -l <"$LOG"); t0=$(cpu_ticks "$PID"); s0=$(date +%s.%N)
sleep 10
l1=$(wc -l <"$LOG"); t1=$(cpu_ticks "$PID"); s1=$(date +%s.%N)
echo "flood: $(echo "($l1-$l0)/($s1-$s0)" | bc -l | xargs printf '%.0f') lines/s written; TUI $(echo "($t1-$t0)/$TICK*100/($s1-$s0)" | bc -l | xargs printf '%.1f')% of one CPU following it"
echo "key response under the flood (ms, pause/follow): $(for i in 1 2 3 4 5; do respond f "· paused"; respond f "· following"; done | sort -n | xargs)"
