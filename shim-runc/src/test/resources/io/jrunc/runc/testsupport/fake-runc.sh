#!/bin/bash
# A stand-in for runc in jrunc's tests. It records its argv and emulates create/start/kill/delete/ps/state
# with a real process per container, orphaned at once like runc's init (so the test JVM, a child
# subreaper, reaps it). Knobs are files in the control directory:
#   fail-<subcommand>   runc fails with this message (log.json error record + stderr, exit 1)
#   cmd-<id>            shell command the container runs after start (default: true)
#   early-exit-<id>     the container runs its command without waiting for start, and create only
#                       writes the pid file 0.5 s later (the init exits before the shim reads init.pid)
CTL="@CTL@"
printf '%s\n' "$*" >> "$CTL/argv.log"
root=""
log=/dev/null
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root=$2; shift 2 ;;
        --log) log=$2; shift 2 ;;
        --log-format|--criu) shift 2 ;;
        --systemd-cgroup) shift ;;
        *) break ;;
    esac
done
sub=$1
shift
fail() {
    printf '{"level":"error","msg":"%s","time":"2026-01-01T00:00:00Z"}\n' "$1" >> "$log"
    echo "$1" >&2
    exit 1
}
alive() {
    [ -f "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null
}
[ -f "$CTL/fail-$sub" ] && fail "$(cat "$CTL/fail-$sub")"
case "$sub" in
create)
    pidfile=""
    while [ $# -gt 1 ]; do
        case "$1" in
            --bundle|--console-socket) shift 2 ;;
            --pid-file) pidfile=$2; shift 2 ;;
            *) shift ;;
        esac
    done
    id=$1
    state="$root/$id"
    [ -d "$state" ] && fail "container with id exists: $id"
    mkdir -p "$state"
    script=true
    [ -f "$CTL/cmd-$id" ] && script=$(cat "$CTL/cmd-$id")
    early=0
    [ -f "$CTL/early-exit-$id" ] && early=1
    exec 3<&0
    ( (
        echo $BASHPID > "$state/pid.tmp" && mv "$state/pid.tmp" "$state/pid"
        if [ $early = 0 ]; then
            while [ ! -e "$state/started" ]; do
                [ -d "$state" ] || exit 137
                sleep 0.01
            done
        fi
        exec /bin/sh -c "$script" <&3 3<&-
    ) & )
    exec 3<&-
    while [ ! -f "$state/pid" ]; do sleep 0.01; done
    [ $early = 1 ] && sleep 0.5
    cp "$state/pid" "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
    ;;
start)
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    touch "$state/started"
    ;;
kill)
    [ "$1" = --all ] && shift
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    alive "$state" || fail "container not running"
    kill -"$2" "$(cat "$state/pid")"
    ;;
delete)
    force=0
    [ "$1" = --force ] && { force=1; shift; }
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    if alive "$state"; then
        if [ $force = 0 ] && [ -e "$state/started" ]; then
            fail "cannot delete container $1 that is not stopped: running"
        fi
        kill -9 "$(cat "$state/pid")"
    fi
    rm -rf "$state"
    ;;
pause|resume)
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    alive "$state" || fail "container not running"
    if [ "$sub" = pause ]; then kill -STOP "$(cat "$state/pid")"; else kill -CONT "$(cat "$state/pid")"; fi
    ;;
ps)
    state="$root/${!#}"
    [ -d "$state" ] || fail "container does not exist"
    if alive "$state"; then echo "[$(cat "$state/pid")]"; else echo "null"; fi
    ;;
state)
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    echo "{\"id\":\"$1\",\"pid\":$(cat "$state/pid")}"
    ;;
*)
    fail "fake runc: unknown subcommand $sub"
    ;;
esac
exit 0
