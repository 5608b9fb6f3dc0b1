#!/bin/bash
# A stand-in for runc in jrunc's tests. It records its argv and emulates create/start/kill/delete/ps/state
# with a real process per container, orphaned at once like runc's init (so the test JVM, a child
# subreaper, reaps it). Knobs are files in the control directory:
#   fail-<subcommand>   runc fails with this message (log.json error record + stderr, exit 1)
#   cmd-<id>            shell command the container runs after start (default: true)
#   early-exit-<id>     the container runs its command without waiting for start, and create only
#                       writes the pid file 0.5 s later (the init exits before the shim reads init.pid)
#   exec-cmd-<execid>   shell command an exec runs (default: true); the exec id is the pid file's name
#   exec-late-pid       exec writes its pid file 0.5 s after the process started (it may exit before)
# Records: process-<execid>.json (the spec runc exec got), update-<id>.json (runc update's stdin),
#   stdout-owner-<id> (uid:gid of create's stdout), restore-<id> (restore's working directory).
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
# Runs the shell command $1 as an orphan (reaped by the test JVM, never by this script) with this script's
# stdio, and writes its pid to $2. It starts only once its parent subshell is gone: bash reaps its own children.
orphan() {
    exec 3<&0
    ( (
        echo $BASHPID > "$2.tmp" && mv "$2.tmp" "$2.wait"
        while [ -e "$2.wait" ]; do sleep 0.01; done
        exec /bin/sh -c "$1" <&3 3<&-
    ) & )
    exec 3<&-
    while [ ! -f "$2.wait" ]; do sleep 0.01; done
    cp "$2.wait" "$2.tmp" && mv "$2.tmp" "$2" && rm -f "$2.wait"
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
    stat -L -c '%u:%g' /proc/$$/fd/1 > "$CTL/stdout-owner-$id" 2>/dev/null
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
    pids=""
    alive "$state" && pids=$(cat "$state/pid")
    for p in $(cat "$state/exec-pids" 2>/dev/null); do
        kill -0 "$p" 2>/dev/null && pids="$pids${pids:+,}$p"
    done
    if [ -n "$pids" ]; then echo "[$pids]"; else echo "null"; fi
    ;;
state)
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    echo "{\"id\":\"$1\",\"pid\":$(cat "$state/pid")}"
    ;;
exec)
    pidfile=""
    process=""
    while [ $# -gt 1 ]; do
        case "$1" in
            --process) process=$2; shift 2 ;;
            --pid-file) pidfile=$2; shift 2 ;;
            --console-socket) shift 2 ;;
            --detach) shift ;;
            *) fail "fake runc: unexpected exec flag $1" ;;
        esac
    done
    id=$1
    state="$root/$id"
    [ -d "$state" ] || fail "container does not exist"
    alive "$state" || fail "cannot exec in a stopped container"
    execid=$(basename "$pidfile" .pid)
    cp "$process" "$CTL/process-$execid.json"
    script=true
    [ -f "$CTL/exec-cmd-$execid" ] && script=$(cat "$CTL/exec-cmd-$execid")
    orphan "$script" "$pidfile.child"
    cat "$pidfile.child" >> "$state/exec-pids"
    [ -f "$CTL/exec-late-pid" ] && sleep 0.5
    mv "$pidfile.child" "$pidfile"
    ;;
update)
    [ "$1" = --resources ] || fail "fake runc: update needs --resources"
    id=$3
    [ -d "$root/$id" ] || fail "container does not exist"
    cat > "$CTL/update-$id.json"
    ;;
checkpoint)
    work=""
    leave=0
    while [ $# -gt 1 ]; do
        case "$1" in
            --work-path) work=$2; shift 2 ;;
            --image-path|--parent-path|--manage-cgroups-mode|--empty-ns) shift 2 ;;
            --leave-running) leave=1; shift ;;
            *) shift ;;
        esac
    done
    state="$root/$1"
    [ -d "$state" ] || fail "container does not exist"
    if [ -f "$CTL/criu-fail" ]; then
        mkdir -p "$work" && echo "criu dump log" > "$work/dump.log"
        printf 'criu failed: type NOTIFY errno 0\nlog file: %s/dump.log\n' "$work" >&2
        exit 1
    fi
    mkdir -p "$work" && echo "criu ok" > "$work/dump.log"
    if [ $leave = 0 ]; then
        kill -9 "$(cat "$state/pid")"
        rm -rf "$state"
    fi
    ;;
restore)
    pidfile=""
    while [ $# -gt 1 ]; do
        case "$1" in
            --pid-file) pidfile=$2; shift 2 ;;
            --image-path|--work-path|--parent-path|--console-socket|--bundle) shift 2 ;;
            *) shift ;;
        esac
    done
    id=$1
    state="$root/$id"
    [ -d "$state" ] && fail "container with id exists: $id"
    mkdir -p "$state"
    touch "$state/started"
    script=true
    [ -f "$CTL/cmd-$id" ] && script=$(cat "$CTL/cmd-$id")
    orphan "$script" "$state/pid"
    cp "$state/pid" "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
    ;;
*)
    fail "fake runc: unknown subcommand $sub"
    ;;
esac
exit 0
