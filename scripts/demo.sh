#!/bin/sh
# jrunc demo: builds jrunc, starts a private containerd that knows the runtime
# io.containerd.jrunc.v2, runs busybox containers through the Java shim, shows their
# output, the one shim daemon serving all of them (parent PID 1: detached like the Go
# shim's), what `containerd-shim-jrunc-v2 status` tells an operator, and the task events,
# then removes everything it made. Needs root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)

./scripts/install-deps.sh
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"

if [ "${JRUNC_SKIP_BUILD:-}" != 1 ]; then
    echo "== building jrunc (mvn -DskipTests package)"
    mvn -B -q -DskipTests package
fi
DIST="$ROOT/shim-launcher/target/dist"

WORK=$(mktemp -d /tmp/jrunc-demo.XXXXXX)
SOCK="$WORK/containerd.sock"
NS=jrunc-demo
CTD_PID=""
EVENTS_PID=""

cleanup() {
    set +e
    if [ -n "$CTD_PID" ]; then
        for c in demo1 demo2 demo3; do
            ctr --address "$SOCK" -n $NS task kill -s KILL $c >/dev/null 2>&1
            ctr --address "$SOCK" -n $NS task delete $c >/dev/null 2>&1
            ctr --address "$SOCK" -n $NS container delete $c >/dev/null 2>&1
        done
    fi
    [ -n "$EVENTS_PID" ] && kill "$EVENTS_PID" 2>/dev/null
    if [ -n "$CTD_PID" ]; then
        kill "$CTD_PID" 2>/dev/null
        wait "$CTD_PID" 2>/dev/null
    fi
    umount -R "$WORK/root" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "== making a busybox root filesystem (no registry needed)"
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$ROOTFS/bin/$applet"
done
echo "root:x:0:0:root:/:/bin/sh" > "$ROOTFS/etc/passwd"
echo "root:x:0:" > "$ROOTFS/etc/group"

echo "== starting a private containerd (its own root, state and socket)"
cat > "$WORK/config.toml" <<TOML
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
TOML
# The default: one shim daemon for the whole namespace; here it leaves 2 s after its last container.
PATH="$DIST/bin:$PATH" JRUNC_LINGER=2s containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CTD_PID=$!
i=0
until ctr --address "$SOCK" version >/dev/null 2>&1; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "containerd did not start; log:"; cat "$WORK/containerd.log"; exit 1; }
    sleep 0.1
done

ctr --address "$SOCK" events >"$WORK/events.txt" 2>&1 &
EVENTS_PID=$!
sleep 0.3

echo "== ctr run --rm --runtime io.containerd.jrunc.v2 ... echo"
ctr --address "$SOCK" -n $NS run --rm --runtime io.containerd.jrunc.v2 --rootfs "$ROOTFS" \
    demo-echo /bin/echo "hello from busybox, run by the Java shim"

echo "== three long-running containers: one shim daemon serves them all"
for c in demo1 demo2 demo3; do
    ctr --address "$SOCK" -n $NS run -d --runtime io.containerd.jrunc.v2 --rootfs "$ROOTFS" $c /bin/sleep 300
done
ctr --address "$SOCK" -n $NS task ls
for c in demo1 demo2 demo3; do
    echo "$c: shim address $(cat "$WORK/state/io.containerd.runtime.v2.task/$NS/$c/address")"
done
SHIM_PID=$(pgrep -f -- "-namespace $NS -id demo-echo -address $SOCK" | head -n 1 || true)
if [ -n "$SHIM_PID" ]; then
    echo "shim daemon pid $SHIM_PID, parent pid $(ps -o ppid= -p "$SHIM_PID" | tr -d ' ') (containerd is $CTD_PID)"
fi
echo "== containerd-shim-jrunc-v2 status (what an operator sees)"
"$DIST/bin/containerd-shim-jrunc-v2" status
for c in demo1 demo2 demo3; do
    ctr --address "$SOCK" -n $NS task kill -s KILL $c
done
sleep 0.5
for c in demo1 demo2 demo3; do
    ctr --address "$SOCK" -n $NS task delete $c
    ctr --address "$SOCK" -n $NS container delete $c
done
if [ -n "$SHIM_PID" ]; then
    echo "== waiting for the idle daemon to leave (linger 2 s)"
    i=0
    while kill -0 "$SHIM_PID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
fi

echo "== task events containerd received"
grep /tasks/ "$WORK/events.txt" || true
echo "== done; cleaning up"
