#!/bin/sh
# jrunc demo: builds jrunc, starts a private containerd that knows the runtime
# io.containerd.jrunc.v2, runs a busybox container through the Java shim, shows its
# output, the shim daemon's parent (PID 1: detached like the Go shim) and the task
# events, then removes everything it made. Needs root on Debian 12.
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
        ctr --address "$SOCK" -n $NS task kill -s KILL demo >/dev/null 2>&1
        ctr --address "$SOCK" -n $NS task delete demo >/dev/null 2>&1
        ctr --address "$SOCK" -n $NS container delete demo >/dev/null 2>&1
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
PATH="$DIST/bin:$PATH" containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
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

echo "== a long-running container, and its shim daemon"
ctr --address "$SOCK" -n $NS run -d --runtime io.containerd.jrunc.v2 --rootfs "$ROOTFS" demo /bin/sleep 300
ctr --address "$SOCK" -n $NS task ls
BUNDLE="$WORK/state/io.containerd.runtime.v2.task/$NS/demo"
ADDRESS=$(cat "$BUNDLE/address")
SHIM_PID=$(pgrep -f -- "-id demo -address $SOCK" | head -n 1 || true)
echo "shim socket: $ADDRESS"
if [ -n "$SHIM_PID" ]; then
    echo "shim daemon pid $SHIM_PID, parent pid $(ps -o ppid= -p "$SHIM_PID" | tr -d ' ') (containerd is $CTD_PID)"
    echo "shim daemon RSS: $(ps -o rss= -p "$SHIM_PID" | tr -d ' ') KiB"
fi
ctr --address "$SOCK" -n $NS task kill -s KILL demo
sleep 0.5
ctr --address "$SOCK" -n $NS task delete demo
ctr --address "$SOCK" -n $NS container delete demo
sleep 0.3

echo "== task events containerd received"
grep /tasks/ "$WORK/events.txt" || true
echo "== done; cleaning up"
