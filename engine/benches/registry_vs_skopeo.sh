#!/usr/bin/env bash
# Push and pull a 100 MB image to and from Debian's docker-registry on loopback, berth
# side by side with `skopeo copy` of the same image, with hyperfine; prints median ratios.
# Every push goes to an emptied registry (nothing to skip); every pull starts with the
# image removed (berth) or the target directory emptied (skopeo).
# Usage: engine/benches/registry_vs_skopeo.sh [RUNS]   (as root; needs hyperfine, skopeo,
# docker-registry, busybox-static; builds berth in release mode first).
set -euo pipefail
cd "$(dirname "$0")/../.."
. engine/benches/lib.sh
RUNS=${1:-5}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    [ -n "${REG_PID:-}" ] && kill "$REG_PID" 2>/dev/null || true
    remove_root_links "$BERTH_ROOT"
    rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
export BERTH_ROOT=$W/berth-root BERTH_RUN_ROOT=$W/berth-run BERTH_CGROUP_PARENT=berth-bench-$$
export DOCKER_CONFIG=$W/docker-config

cat > "$W/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $W/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
YAML
docker-registry serve "$W/registry.yml" >"$W/registry.log" 2>&1 &
REG_PID=$!
sleep 1

# A 100 MB image: busybox and 100 MB of random bytes (incompressible, as media are).
$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" busybox:latest >/dev/null
mkdir -p "$W/ctx"
printf 'FROM busybox\nRUN head -c 100000000 /dev/urandom > /big\n' > "$W/ctx/Dockerfile"
$BERTH build -q -t bench-big "$W/ctx" >/dev/null
$BERTH save -o "$W/big.tar" bench-big
REF=127.0.0.1:$PORT/bench/big:1
$BERTH tag bench-big "$REF"

EMPTY="rm -rf $W/registry/docker"
hyperfine --runs "$RUNS" --export-json "$W/push.json" --prepare "$EMPTY" \
    -n berth "$BERTH push -q $REF" \
    -n skopeo "skopeo copy -q --dest-tls-verify=false docker-archive:$W/big.tar docker://$REF" >/dev/null
# The registry holds the image for the pulls (pushed by berth).
$BERTH push -q "$REF" >/dev/null
hyperfine --runs "$RUNS" --export-json "$W/pull.json" \
    --prepare "$BERTH rmi -f $REF >/dev/null 2>&1; $BERTH rmi -f bench-big >/dev/null 2>&1; $BERTH image prune -af >/dev/null; rm -rf $W/skopeo-dir" \
    -n berth "$BERTH pull -q $REF" \
    -n skopeo "skopeo copy -q --src-tls-verify=false docker://$REF dir:$W/skopeo-dir" >/dev/null

python3 - "$W/push.json" "$W/pull.json" <<'PY'
import json, sys
for name, path in (("push 100 MB", sys.argv[1]), ("pull 100 MB", sys.argv[2])):
    r = {x["command"]: x["median"] for x in json.load(open(path))["results"]}
    b, s = r["berth"], r["skopeo"]
    print(f"{name}: berth/skopeo median ratio {b/s:.3f}  (berth {b*1000:.0f} ms, skopeo copy {s*1000:.0f} ms)")
PY
