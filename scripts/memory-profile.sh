#!/bin/sh
# Where a jrunc daemon's memory goes: starts a private containerd (own root, state, socket under /tmp)
# with the built dist (shim-launcher/target/dist) on its PATH, runs N `sleep` containers through jrunc in
# the default grouping (one daemon), then prints the daemon's RSS/PSS/threads, its smaps by mapping kind
# (anonymous, AOT cache, libjvm, other files) and the JVM's Native Memory Tracking summary. Removes
# everything it started. Needs root and a built dist (mvn -B -DskipTests package).
#
#   scripts/memory-profile.sh [N]        N containers (default 1)
#   JRUNC_JAVA_OPTS='-XX:...' scripts/memory-profile.sh   try a JVM flag (added to the launcher's)
#   JRUNC_MEMORY_ENV='MALLOC_ARENA_MAX=2' scripts/memory-profile.sh   extra daemon environment
#   JRUNC_NMT=0 scripts/memory-profile.sh   without NMT (its own bookkeeping costs ~1-2 MB)
set -eu
cd "$(dirname "$0")/.."
N=${1:-1}
DIST=${JRUNC_DIST:-$(pwd)/shim-launcher/target/dist}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -x "$DIST/bin/containerd-shim-jrunc-v2" ] || { echo "$0: build first: mvn -B -DskipTests package" >&2; exit 1; }
WORK=$(mktemp -d /tmp/jrunc-mem.XXXXXX)
SOCK=$WORK/containerd.sock
NS=jrunc-mem
CTD_PID=
cleanup() {
    set +e
    if [ -n "$CTD_PID" ]; then
        i=0
        while [ $i -lt "$N" ]; do
            ctr --address "$SOCK" -n $NS task kill -s KILL "m$i" >/dev/null 2>&1
            i=$((i + 1))
        done
        sleep 1
        i=0
        while [ $i -lt "$N" ]; do
            ctr --address "$SOCK" -n $NS task delete "m$i" >/dev/null 2>&1
            ctr --address "$SOCK" -n $NS container delete "m$i" >/dev/null 2>&1
            i=$((i + 1))
        done
        sleep 1
        kill "$CTD_PID" 2>/dev/null
        wait "$CTD_PID" 2>/dev/null
    fi
    umount -R "$WORK/root" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ROOTFS=$WORK/rootfs
mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
ln -s busybox "$ROOTFS/bin/sleep"
cat > "$WORK/config.toml" <<TOML
version = 2
root = "$WORK/root"
state = "$WORK/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$SOCK"
TOML
nmt=
[ "${JRUNC_NMT:-1}" = 0 ] || nmt=-XX:NativeMemoryTracking=summary
# shellcheck disable=SC2086
env PATH="$DIST/bin:$PATH" JRUNC_LINGER=0 JRUNC_JAVA_OPTS="$nmt ${JRUNC_JAVA_OPTS:-}" ${JRUNC_MEMORY_ENV:-} \
    containerd --config "$WORK/config.toml" >"$WORK/containerd.log" 2>&1 &
CTD_PID=$!
i=0
until ctr --address "$SOCK" version >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$WORK/containerd.log"; exit 1; }; sleep 0.1
done
i=0
while [ $i -lt "$N" ]; do
    ctr --address "$SOCK" -n $NS run -d --null-io --runtime io.containerd.jrunc.v2 --rootfs "$ROOTFS" "m$i" /bin/sleep 3600
    i=$((i + 1))
done
ADDRESS=$(cat "$WORK/state/io.containerd.runtime.v2.task/$NS/m0/address")
read -r PID _ <"${ADDRESS#unix://}.pid"
sleep 5 # settle: lazy initialisation after the last Create

echo "== daemon $PID serving $N container(s)"
grep -E '^(VmRSS|RssAnon|RssFile|RssShmem|Threads)' "/proc/$PID/status"
grep -E '^(Pss|Pss_Anon|Pss_File|Private_Dirty|Shared_Clean)' "/proc/$PID/smaps_rollup"
echo "== threads by name"
cat /proc/"$PID"/task/*/comm | sed 's/[0-9][0-9]*$/N/' | sort | uniq -c | sort -rn
echo "== smaps by mapping kind (kB: Rss / Pss / Private_Dirty)"
awk '
    /^[0-9a-f]+-[0-9a-f]+ / { kind = "anonymous"; if (NF >= 6) { kind = $6; sub(/.*\//, "", kind) }
                              if (kind ~ /^\[/) kind = "anonymous " kind }
    /^Rss:/ { rss[kind] += $2 } /^Pss:/ { pss[kind] += $2 } /^Private_Dirty:/ { dirty[kind] += $2 }
    END { for (k in rss) if (rss[k] >= 256) printf "%-40s %8d %8d %8d\n", k, rss[k], pss[k], dirty[k] }
' "/proc/$PID/smaps" | sort -k2 -n -r
echo "== Java heap"
"$JAVA_HOME/bin/jcmd" "$PID" GC.heap_info 2>/dev/null | grep -E 'total|used' | sed 's/^ *//'
if [ -n "$nmt" ]; then
    echo "== JVM native memory (NMT summary, committed)"
    "$JAVA_HOME/bin/jcmd" "$PID" VM.native_memory summary scale=KB 2>/dev/null |
        grep -E '^(Total|-  +[A-Za-z ]+ \(reserved)' | sed 's/reserved=[0-9]*KB, //'
fi
