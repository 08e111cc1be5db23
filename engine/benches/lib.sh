# Sourced by the benchmark scripts: what every one of them needs at its end.

# Remove the links and firewall table a berth state root made on the host: its default
# bridge and its nft table (both named by the root's ID) and its host-wide registration.
remove_root_links() {
    local root=$1 id
    [ -f "$root/root-id" ] || return 0
    id=$(cat "$root/root-id")
    ip link del "berth$id" 2>/dev/null || true
    nft delete table ip "berth_$id" 2>/dev/null || true
    nft delete table ip "berth_${id}_mesh" 2>/dev/null || true
    rm -f "/run/berth-host/roots/$id"
}

# A private dockerd for side-by-side timings, as the differential tests start it: its own
# data and exec roots, socket and bridge under/for $1 (a temp dir), no iptables, no
# registry (pulls go to a closed loopback port). Sets DOCKER (the client bound to it).
# Stop it with stop_dockerd $1.
start_dockerd() {
    local dir=$1 bridge="bbk$$"
    ip link add "$bridge" type bridge
    ip addr add "10.$((110 + $$ % 40)).$(( ($$ / 40) % 250 )).1/24" dev "$bridge"
    ip link set "$bridge" up
    echo "$bridge" > "$dir/bridge"
    echo "{\"deprecated-key-path\": \"$dir/key.json\"}" > "$dir/daemon.json"
    HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
        dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" \
        --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" --host "unix://$dir/docker.sock" \
        --iptables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
        --storage-driver=overlay2 --bridge="$bridge" --cgroup-parent="/berth-bench-dockerd-$$" \
        >"$dir/dockerd.log" 2>&1 &
    DOCKER="/usr/bin/docker --host unix://$dir/docker.sock"
    export DOCKER_CONFIG=$dir/client
    local i
    for i in $(seq 1 600); do
        $DOCKER version >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "dockerd did not start; its log:" >&2
    tail -20 "$dir/dockerd.log" >&2
    return 1
}

stop_dockerd() {
    local dir=$1 pid m
    [ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid") || pid=
    if [ -n "$pid" ]; then
        $DOCKER rm -f $($DOCKER ps -aq) >/dev/null 2>&1 || true
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    # Its containerd and shims name our dir on their command lines.
    pkill -9 -f "containerd.*$dir/" 2>/dev/null || true
    { grep -o " $dir/[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
    if [ -f "$dir/bridge" ]; then ip link del "$(cat "$dir/bridge")" 2>/dev/null || true; fi
    find /sys/fs/cgroup -depth -type d -path "*/berth-bench-dockerd-$$*" \
        -exec rmdir {} \; 2>/dev/null || true
}
