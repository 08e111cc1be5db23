#!/usr/bin/env bash
# Time `berth build` side by side with `buildah bud --layers` and `docker build` (the
# classic builder of a private dockerd, Debian's docker.io) on one 10-step Dockerfile,
# with hyperfine, and print median ratios: a fully cached rebuild, and a rebuild after a
# one-file change (the COPY of that file and the steps after it run again). No step
# needs a network: berth and docker run their steps with none (buildah's chroot
# isolation has no network namespace to give).
# Usage: engine/benches/build_vs_peers.sh [RUNS]   (as root; needs hyperfine, buildah,
# docker.io, busybox-static; builds berth in release mode first).
set -euo pipefail
cd "$(dirname "$0")/../.."
. engine/benches/lib.sh
RUNS=${1:-15}
cargo build --release -p berth >/dev/null
BERTH=$PWD/target/release/berth
W=$(mktemp -d /tmp/berth-bench.XXXXXX)
BUILDAH="buildah --root $W/broot --runroot $W/brun --storage-driver overlay"
mkdir -p "$W/dockerd"
cleanup() {
    stop_dockerd "$W/dockerd"
    $BUILDAH rmi -af >/dev/null 2>&1 || true
    umount -l "$W/broot/overlay" >/dev/null 2>&1 || true
    remove_root_links "$BERTH_ROOT"
    rm -rf "$W" 2>/dev/null || true
}
trap cleanup EXIT
export BERTH_ROOT=$W/berth-root BERTH_RUN_ROOT=$W/berth-run BERTH_CGROUP_PARENT=berth-bench-$$

# One base image for both: berth's busybox, saved and handed to buildah.
$BERTH demo --rootfs "$W/rootfs.tar"
$BERTH import "$W/rootfs.tar" busybox:latest >/dev/null
$BERTH save -o "$W/busybox.tar" busybox:latest
$BUILDAH pull -q "docker-archive:$W/busybox.tar" >/dev/null
$BUILDAH tag "$($BUILDAH images -q | head -1)" docker.io/library/busybox:latest
start_dockerd "$W/dockerd"
$DOCKER load -q -i "$W/busybox.tar" >/dev/null

CTX=$W/ctx
mkdir -p "$CTX/src"
for i in $(seq 1 20); do echo "file $i" > "$CTX/src/f$i.txt"; done
echo "deps v1" > "$CTX/deps.txt"
cat > "$CTX/Dockerfile" <<'DOCKERFILE'
FROM busybox
ENV APP=/app
WORKDIR /app
COPY deps.txt .
RUN cat deps.txt > installed
RUN mkdir -p /app/cache && echo warm > /app/cache/w
COPY src/ ./src/
RUN ls src | wc -l > count
LABEL bench=yes
CMD ["cat", "/app/count"]
DOCKERFILE

B_BUILD="$BERTH build -q --network none -t bench-app $CTX"
H_BUILD="$BUILDAH bud --layers -q --isolation chroot -t bench-app $CTX"
D_BUILD="DOCKER_BUILDKIT=0 $DOCKER build -q --network none -t bench-app $CTX"
$B_BUILD >/dev/null
$H_BUILD >/dev/null
bash -c "$D_BUILD" >/dev/null

hyperfine --warmup 2 --runs "$RUNS" --export-json "$W/cached.json" \
    -n berth "$B_BUILD" -n buildah "$H_BUILD" -n docker "$D_BUILD" >/dev/null
hyperfine --warmup 1 --runs "$RUNS" --export-json "$W/change.json" \
    --prepare "date +%s%N > $CTX/src/f1.txt" \
    -n berth "$B_BUILD" -n buildah "$H_BUILD" -n docker "$D_BUILD" >/dev/null

python3 - "$W/cached.json" "$W/change.json" <<'PY'
import json, sys
for name, path in (("fully cached rebuild", sys.argv[1]), ("one-file change", sys.argv[2])):
    r = {x["command"]: x["median"] for x in json.load(open(path))["results"]}
    b, h, d = r["berth"], r["buildah"], r["docker"]
    print(f"{name}: berth/buildah {b/h:.3f}, berth/docker {b/d:.3f}  "
          f"(berth {b*1000:.1f} ms, buildah {h*1000:.1f} ms, docker build {d*1000:.1f} ms)")
PY
