# Sourced by the benchmark scripts: what every one of them needs at its end.

# Remove the links and firewall table a berth state root made on the host: its default
# bridge and its nft table (both named by the root's ID) and its host-wide registration.
remove_root_links() {
    local root=$1 id
    [ -f "$root/root-id" ] || return 0
    id=$(cat "$root/root-id")
    ip link del "berth$id" 2>/dev/null || true
    nft delete table ip "berth_$id" 2>/dev/null || true
    rm -f "/run/berth-host/roots/$id"
}
