# lib/launcher.sh: the JVM-free paths of containerd-shim-jrunc-v2 (POSIX sh and coreutils only).
# Sourced by bin/containerd-shim-jrunc-v2 (and by the tests). Every function returns 0 when it could
# do its part and 1 when unsure; unsure means the JVM does the whole action instead, which is always
# right, only slower. So anything unusual (other flag forms, escapes in annotations, odd paths) falls
# back. Variables are global (POSIX sh has no locals) and prefixed jr_.

jr_socket_dir=${JRUNC_SOCKET_DIR:-/run/containerd/s}
# What the delete action reports, like the Go shim's and our JVM delete: 128 + SIGKILL.
jr_killed_status=137

# jr_parse_args ARG...: containerd's own form only (-flag value, -debug, then start or delete last).
# Sets jr_namespace jr_id jr_address jr_bundle jr_debug jr_action.
jr_parse_args() {
    jr_namespace='' jr_id='' jr_address='' jr_bundle='' jr_debug='' jr_action=''
    while [ $# -gt 0 ]; do
        case $1 in
            -namespace | -id | -address | -publish-binary | -bundle)
                [ $# -ge 2 ] || return 1
                case $1 in
                    -namespace) jr_namespace=$2 ;;
                    -id) jr_id=$2 ;;
                    -address) jr_address=$2 ;;
                    -bundle) jr_bundle=$2 ;;
                esac
                shift 2
                ;;
            -debug) jr_debug=1; shift ;;
            start | delete) [ $# -eq 1 ] || return 1; jr_action=$1; shift ;;
            *) return 1 ;;
        esac
    done
    [ -n "$jr_action" ] && [ -n "$jr_namespace" ] && [ -n "$jr_id" ] && [ -n "$jr_address" ]
}

# jr_read_annotations FILE: the annotations jrunc reads from a config.json as Go's encoding/json
# writes it (compact, "annotations":{"key":"value",...}). Splitting on '"' makes the JSON's tokens
# the positional parameters; a key or value with a backslash (an escape) makes it unsure. Sets
# jr_has_X and jr_anno_X for X in grouping (io.jrunc.grouping), max (io.jrunc.max-containers),
# group (io.containerd.runc.v2.group), sandbox (io.kubernetes.cri.sandbox-id).
jr_read_annotations() {
    jr_has_grouping='' jr_has_max='' jr_has_group='' jr_has_sandbox='' jr_anno_grouping='' jr_anno_max='' jr_anno_group='' jr_anno_sandbox=''
    [ -f "$1" ] || return 1
    jr_json=$(cat -- "$1") || return 1
    case $jr_json in
        *'"annotations"'*) ;;
        *) return 0 ;;
    esac
    # Everything before the key; this pattern form is linear in dash (a leading * is quadratic).
    jr_before=${jr_json%%\"annotations\":\{*}
    [ "$jr_before" != "$jr_json" ] || return 1
    jr_ifs=$IFS
    IFS='"'
    set -f
    # shellcheck disable=SC2086
    set -- $jr_before
    jr_n=$#
    # shellcheck disable=SC2086
    set -- $jr_json
    IFS=$jr_ifs
    set +f
    [ "$jr_n" -lt $# ] || return 1
    shift "$jr_n"
    [ "$1" = annotations ] || return 1
    case $2 in
        ':{}'*) return 0 ;;
        ':{') ;;
        *) return 1 ;;
    esac
    shift 2
    while :; do
        [ $# -ge 4 ] && [ "$2" = : ] || return 1
        case $1$3 in *\\*) return 1 ;; esac
        case $1 in
            io.jrunc.grouping) [ -z "$jr_has_grouping" ] || return 1; jr_has_grouping=1 jr_anno_grouping=$3 ;;
            io.jrunc.max-containers) [ -z "$jr_has_max" ] || return 1; jr_has_max=1 jr_anno_max=$3 ;;
            io.containerd.runc.v2.group) [ -z "$jr_has_group" ] || return 1; jr_has_group=1 jr_anno_group=$3 ;;
            io.kubernetes.cri.sandbox-id) [ -z "$jr_has_sandbox" ] || return 1; jr_has_sandbox=1 jr_anno_sandbox=$3 ;;
        esac
        case $4 in
            ,) shift 4 ;;
            \}*) return 0 ;;
            *) return 1 ;;
        esac
    done
}

# jr_trim_blanks VALUE: sets jr_trimmed to VALUE without leading spaces and tabs.
jr_trim_blanks() {
    jr_trimmed=$1
    while :; do
        case $jr_trimmed in
            ' '* | '	'*) jr_trimmed=${jr_trimmed#?} ;;
            *) return 0 ;;
        esac
    done
}

# jr_config_value KEY: KEY's value in the config file (JRUNC_CONFIG, default /etc/jrunc/config.toml),
# parsed like the JVM's ShimConfigFile: key = "value" or key = bare-word, # comments. Sets
# jr_config and jr_config_found (empty when the file or the key is absent); unsure on any line
# the JVM would reject.
jr_config_value() {
    jr_config='' jr_config_found=''
    jr_config_file=${JRUNC_CONFIG:-/etc/jrunc/config.toml}
    [ -e "$jr_config_file" ] || return 0
    [ -f "$jr_config_file" ] && [ -r "$jr_config_file" ] || return 1
    while IFS= read -r jr_line || [ -n "$jr_line" ]; do
        jr_trim_blanks "$jr_line"
        case $jr_trimmed in '' | '#'*) continue ;; esac
        jr_k=${jr_trimmed%%=*}
        [ "$jr_k" != "$jr_trimmed" ] || return 1
        jr_trim_blanks "${jr_trimmed#*=}"
        jr_v=$jr_trimmed
        while :; do
            case $jr_k in
                *' ' | *'	') jr_k=${jr_k%?} ;;
                *) break ;;
            esac
        done
        case $jr_k in '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) return 1 ;; esac
        case $jr_v in
            \"*)
                jr_v=${jr_v#\"}
                jr_val=${jr_v%%\"*}
                [ "$jr_val" != "$jr_v" ] || return 1
                case $jr_val in *\\*) return 1 ;; esac
                jr_rest=${jr_v#*\"}
                ;;
            *)
                jr_val=${jr_v%%[!A-Za-z0-9._-]*}
                [ -n "$jr_val" ] || return 1
                jr_rest=${jr_v#"$jr_val"}
                ;;
        esac
        jr_trim_blanks "$jr_rest"
        case $jr_trimmed in '' | '#'*) ;; *) return 1 ;; esac
        [ "$jr_k" != "$1" ] || jr_config=$jr_val jr_config_found=1
    done <"$jr_config_file"
}

# jr_grouping BUNDLE ID: the grouping key of container ID, like the JVM's ShimSettings and Grouping:
# annotation io.jrunc.grouping, else JRUNC_GROUPING, else the config file, else namespace; and the
# most containers per namespace daemon (io.jrunc.max-containers, JRUNC_MAX_CONTAINERS, max_containers,
# else 0 = no limit). Sets jr_mode, jr_key, jr_max.
jr_grouping() {
    jr_read_annotations "$1/config.json" || return 1
    if [ -n "$jr_has_grouping" ]; then
        jr_mode=$jr_anno_grouping
    elif [ -n "${JRUNC_GROUPING-}" ]; then
        jr_mode=$JRUNC_GROUPING
    else
        jr_config_value grouping || return 1
        jr_mode=namespace
        [ -z "$jr_config_found" ] || jr_mode=$jr_config
    fi
    if [ -n "$jr_has_max" ]; then
        jr_max=$jr_anno_max
    elif [ -n "${JRUNC_MAX_CONTAINERS-}" ]; then
        jr_max=$JRUNC_MAX_CONTAINERS
    else
        jr_config_value max_containers || return 1
        jr_max=0
        [ -z "$jr_config_found" ] || jr_max=$jr_config
    fi
    # As ShimSettings.parseMaxContainers: canonical decimal, at most 100000.
    case $jr_max in 0 | [1-9] | [1-9][0-9] | [1-9][0-9][0-9] | [1-9][0-9][0-9][0-9] | [1-9][0-9][0-9][0-9][0-9]) ;; 100000) ;; *) return 1 ;; esac
    case $jr_mode in
        namespace) jr_key='@jrunc-shared' ;;
        container) jr_key=$2 ;;
        pod)
            if [ -n "$jr_has_group" ]; then
                jr_key=$jr_anno_group
            elif [ -n "$jr_has_sandbox" ]; then
                jr_key=$jr_anno_sandbox
            else
                jr_key=$2
            fi
            ;;
        *) return 1 ;;
    esac
    [ -n "$jr_key" ]
}

# jr_reserve_place ADDRESS NAMESPACE ID MAX [SUFFIX]: a place for container ID in the first daemon of the
# namespace with fewer than MAX containers, as DaemonSlots does: an atomic `ln -s ID <socket>.slots/<n>`,
# daemons keyed @jrunc-shared, @jrunc-shared-1, ... (Grouping.sharedKey), each followed by SUFFIX (the shim
# cgroup's qualifier, @<digest>, if any). Sets jr_socket and jr_place_link.
jr_reserve_place() {
    jr_index=0
    while [ "$jr_index" -lt 10000 ]; do
        jr_k=@jrunc-shared${5-}
        [ "$jr_index" -eq 0 ] || jr_k=@jrunc-shared-$jr_index${5-}
        jr_socket_path "$1" "$2" "$jr_k" || return 1
        jr_place=0
        while [ "$jr_place" -lt "$4" ]; do
            jr_place_link=$jr_socket.slots/$jr_place
            if [ ! -L "$jr_place_link" ]; then
                [ -d "$jr_socket.slots" ] || mkdir -m 700 -- "$jr_socket.slots" 2>/dev/null || [ -d "$jr_socket.slots" ] || return 1
                ln -s -- "$3" "$jr_place_link" 2>/dev/null && return 0
                # Taken a moment ago by another start; anything else is a reason to let the JVM decide.
                [ -L "$jr_place_link" ] || return 1
            fi
            jr_place=$((jr_place + 1))
        done
        jr_index=$((jr_index + 1))
    done
    return 1
}

# jr_socket_path ADDRESS NAMESPACE KEY: the daemon socket, as ShimSocketAddress names it: the hex
# SHA-256 of ADDRESS/NAMESPACE/KEY under the socket dir. Only for inputs Go's path.Join would leave
# as they are (absolute, clean, no '/' in NAMESPACE or KEY). Sets jr_socket.
jr_socket_path() {
    case $1 in /*) ;; *) return 1 ;; esac
    case $1 in */ | *//* | */./* | */../* | */. | */..) return 1 ;; esac
    for jr_part in "$2" "$3"; do
        case $jr_part in '' | . | .. | */*) return 1 ;; esac
    done
    jr_hash=$(printf '%s' "$1/$2/$3" | sha256sum) || return 1
    jr_hash=${jr_hash%% *}
    case $jr_hash in '' | *[!0-9a-f]*) return 1 ;; esac
    [ ${#jr_hash} -eq 64 ] || return 1
    jr_socket=$jr_socket_dir/$jr_hash
    # The JVM refuses longer paths (sun_path); let it say so.
    [ ${#jr_socket} -le 106 ]
}

# jr_daemon_alive SOCKET: a daemon serves SOCKET: the socket exists and its state file SOCKET.pid
# ("<pid> <start time>", written by the daemon; a third word means retiring) names a running
# process that started at that time (field 22 of /proc/<pid>/stat). Sets jr_daemon_pid.
jr_daemon_alive() {
    [ -S "$1" ] && [ -f "$1.pid" ] || return 1
    jr_pid='' jr_start='' jr_extra=''
    read -r jr_pid jr_start jr_extra <"$1.pid" || return 1
    [ -z "$jr_extra" ] || return 1
    jr_process_alive "$jr_pid" "$jr_start" || return 1
    jr_daemon_pid=$jr_pid
}

# jr_process_alive PID START: process PID runs (not a zombie) and started at START (field 22 of
# /proc/<pid>/stat), as DaemonStateFile.State.alive() checks it.
jr_process_alive() {
    case $1 in '' | *[!0-9]*) return 1 ;; esac
    case $2 in '' | *[!0-9]*) return 1 ;; esac
    [ -r "/proc/$1/stat" ] || return 1
    read -r jr_stat <"/proc/$1/stat" || return 1
    # The command name in field 2 may hold anything; fields 3... follow the last ") ".
    jr_stat=${jr_stat##*) }
    set -f
    # shellcheck disable=SC2086
    set -- $jr_stat "$2"
    set +f
    case $1 in Z | X) return 1 ;; esac
    [ $# -ge 21 ] && eval "[ \"\${20}\" = \"\${$#}\" ]"
}

# jr_fast_start: the start action when the container's group already has a live daemon: write the
# bundle's address file (.address, then rename) and print the address, without a newline. When it read
# stdin and falls back, the JVM gets the same bytes as stdin (else start fails: the JVM would misplace
# the daemon).
jr_fast_start() {
    jr_stdin_taken=''
    jr_fast_join && return 0
    if [ -n "$jr_stdin_taken" ] && ! jr_give_back_stdin; then
        printf '%s\n' "containerd-shim-jrunc-v2: cannot keep start's stdin for the JVM (mktemp in ${TMPDIR:-/tmp})" >&2
        exit 1
    fi
    return 1
}

jr_fast_join() {
    jr_b=${jr_bundle:-$PWD} jr_place_link='' jr_qualifier=''
    jr_grouping "$jr_b" "$jr_id" || return 1
    if [ "$jr_mode" = namespace ]; then
        jr_qualify_shared_key || return 1
    fi
    if [ "$jr_mode" = namespace ] && [ "$jr_max" -gt 0 ]; then
        jr_reserve_place "$jr_address" "$jr_namespace" "$jr_id" "$jr_max" "${jr_qualifier:+@$jr_qualifier}" || return 1
        if ! jr_daemon_alive "$jr_socket"; then
            # The JVM starts that daemon and takes a place again.
            rm -f -- "$jr_place_link"
            return 1
        fi
    else
        jr_socket_path "$jr_address" "$jr_namespace" "$jr_key" || return 1
        jr_daemon_alive "$jr_socket" || return 1
    fi
    if ! { printf 'unix://%s' "$jr_socket" >"$jr_b/.address" && mv -f -- "$jr_b/.address" "$jr_b/address"; }; then
        [ -z "$jr_place_link" ] || rm -f -- "$jr_place_link"
        return 1
    fi
    jr_trace "start fast $jr_namespace/$jr_id daemon=$jr_daemon_pid"
    if [ -n "$jr_debug" ] && [ -p "$jr_b/log" ]; then
        # Read-write open: never blocks, even when containerd stopped reading the fifo.
        printf 'time="%s" level=debug msg="joined live shim daemon pid=%s grouping=%s without a JVM" logger=jrunc.launcher\n' \
            "$(date +%Y-%m-%dT%H:%M:%S.%N%:z)" "$jr_daemon_pid" "$jr_mode" 1<>"$jr_b/log"
    fi
    printf 'unix://%s' "$jr_socket"
}

# jr_qualify_shared_key: a namespace daemon's key as the JVM's start names it (StartAction, and
# RuncRuntime.groupingQualifier): @jrunc-shared, then @<16 hex of sha256(shim_cgroup)> when stdin's
# runc options ask for a shim cgroup, so that a shared daemon always runs in the cgroup its containers
# asked for. Reads stdin to the end (jr_stdin_hex, od's hex bytes; sets jr_stdin_taken).
jr_qualify_shared_key() {
    jr_stdin_taken=1
    if ! jr_stdin_hex=$(od -An -v -tx1); then
        printf '%s\n' "containerd-shim-jrunc-v2: cannot read start's stdin" >&2
        exit 1
    fi
    set -f
    # shellcheck disable=SC2086
    set -- $jr_stdin_hex
    set +f
    jr_start_qualifier "$@" || return 1
    [ -z "$jr_qualifier" ] || jr_key=$jr_key@$jr_qualifier
}

# jr_give_back_stdin: makes stdin the bytes jr_qualify_shared_key read: a temp file, unlinked once open.
jr_give_back_stdin() {
    jr_in=$(mktemp "${TMPDIR:-/tmp}/jrunc-stdin.XXXXXX") || return 1
    jr_out='' jr_len=0
    for jr_h in $jr_stdin_hex; do
        jr_octal $((0x$jr_h))
    done
    # shellcheck disable=SC2059
    printf "$jr_out" >"$jr_in" && exec <"$jr_in"
    jr_rc=$?
    rm -f -- "$jr_in"
    return $jr_rc
}

# The accepted runc option types' names as od prints them (checked against the Java descriptors).
jr_hex_options='63 6f 6e 74 61 69 6e 65 72 64 2e 72 75 6e 63 2e 76 31 2e 4f 70 74 69 6f 6e 73 '
jr_hex_create='63 6f 6e 74 61 69 6e 65 72 64 2e 6c 69 6e 75 78 2e 72 75 6e 63 2e 43 72 65 61 74 65 4f 70 74 69 6f 6e 73 '
jr_hex_runc='63 6f 6e 74 61 69 6e 65 72 64 2e 6c 69 6e 75 78 2e 72 75 6e 63 2e 52 75 6e 63 4f 70 74 69 6f 6e 73 '

# jr_start_qualifier BYTE...: start's stdin (hex bytes) as the JVM's StartInput reads it, or unsure.
# Nothing, or a google.protobuf.Any {1: type_url, 2: value} whose type is not one of ours, names no
# shim cgroup; containerd.runc.v1.Options (field 3) and containerd.linux.runc.CreateOptions (field 9)
# may name one, RuncOptions never does. Anything else (BootstrapParams, repeated fields, non-ASCII
# text, malformed bytes) is unsure. Sets jr_qualifier: '' or the first 16 hex of the cgroup's SHA-256.
jr_start_qualifier() {
    jr_qualifier=''
    [ $# -gt 0 ] || return 0
    jr_pb_walk 2 1 "$@" || return 1
    case $jr_pb_tags in '10 ' | '18 ' | '10 18 ' | '18 10 ') ;; *) return 1 ;; esac
    jr_value=$jr_pb_kept
    jr_pb_walk 1 1 "$@" || return 1
    jr_cgroup_field=0
    case $jr_pb_kept in
        "$jr_hex_options" | *" 2f $jr_hex_options" | "2f $jr_hex_options") jr_cgroup_field=3 ;;
        "$jr_hex_create" | *" 2f $jr_hex_create" | "2f $jr_hex_create") jr_cgroup_field=9 ;;
        "$jr_hex_runc" | *" 2f $jr_hex_runc" | "2f $jr_hex_runc") ;;
        *) return 0 ;;
    esac
    set -f
    # shellcheck disable=SC2086
    set -- $jr_value
    set +f
    jr_pb_walk "$jr_cgroup_field" '*' "$@" || return 1
    [ -n "$jr_pb_kept" ] || return 0
    jr_out='' jr_len=0
    for jr_h in $jr_pb_kept; do
        jr_octal $((0x$jr_h))
    done
    # shellcheck disable=SC2059
    jr_hash=$(printf "$jr_out" | sha256sum) || return 1
    jr_hash=${jr_hash%% *}
    case $jr_hash in '' | *[!0-9a-f]*) return 1 ;; esac
    [ ${#jr_hash} -eq 64 ] || return 1
    jr_qualifier=${jr_hash%"${jr_hash#????????????????}"}
}

# jr_pb_walk FIELD ASCII BYTE...: walks the protobuf message BYTE... (hex) as protobuf-java parses it:
# varint, fixed64, length-delimited and fixed32 fields (groups, field 0 or a cut-short field: unsure).
# Sets jr_pb_tags (each field's tag in decimal, followed by a space) and jr_pb_kept (the payload of the
# last length-delimited FIELD, hex bytes each followed by a space). A byte >= 0x80 in the payload of
# field ASCII ('*': of any length-delimited field) is unsure: protobuf-java refuses strings that are not
# UTF-8, and plain ASCII is all the shim needs to decide without it.
jr_pb_walk() {
    jr_keep=$1 jr_ascii=$2
    shift 2
    jr_pb_tags='' jr_pb_kept=''
    while [ $# -gt 0 ]; do
        jr_tag=0 jr_shift=0
        while :; do
            [ $# -gt 0 ] && [ $jr_shift -le 28 ] || return 1
            jr_byte=$((0x$1))
            shift
            jr_tag=$((jr_tag | (jr_byte & 127) << jr_shift))
            [ $jr_byte -ge 128 ] || break
            jr_shift=$((jr_shift + 7))
        done
        # protobuf-java keeps a tag's low 32 bits: beyond them it would read another field.
        [ $jr_tag -lt 4294967296 ] || return 1
        jr_field=$((jr_tag >> 3))
        [ $jr_field -gt 0 ] || return 1
        jr_pb_tags="$jr_pb_tags$jr_tag "
        case $((jr_tag & 7)) in
            0)
                jr_n=0
                while :; do
                    [ $# -gt 0 ] && [ $jr_n -lt 10 ] || return 1
                    jr_byte=$((0x$1))
                    shift
                    jr_n=$((jr_n + 1))
                    [ $jr_byte -ge 128 ] || break
                done
                ;;
            1) [ $# -ge 8 ] || return 1; shift 8 ;;
            5) [ $# -ge 4 ] || return 1; shift 4 ;;
            2)
                jr_n=0 jr_shift=0
                while :; do
                    [ $# -gt 0 ] && [ $jr_shift -le 21 ] || return 1
                    jr_byte=$((0x$1))
                    shift
                    jr_n=$((jr_n | (jr_byte & 127) << jr_shift))
                    [ $jr_byte -ge 128 ] || break
                    jr_shift=$((jr_shift + 7))
                done
                [ $jr_n -le $# ] || return 1
                if [ "$jr_field" = "$jr_keep" ] || [ "$jr_field" = "$jr_ascii" ] || [ "$jr_ascii" = '*' ]; then
                    [ "$jr_field" != "$jr_keep" ] || jr_pb_kept=
                    while [ $jr_n -gt 0 ]; do
                        case $1 in
                            [0-7]?) ;;
                            *) [ "$jr_field" != "$jr_ascii" ] && [ "$jr_ascii" != '*' ] || return 1 ;;
                        esac
                        [ "$jr_field" != "$jr_keep" ] || jr_pb_kept="$jr_pb_kept$1 "
                        shift
                        jr_n=$((jr_n - 1))
                    done
                else
                    shift $jr_n
                fi
                ;;
            *) return 1 ;;
        esac
    done
}

# jr_octal BYTE: appends BYTE to jr_out as a printf octal escape and counts it in jr_len.
jr_octal() {
    jr_out="$jr_out\\$((($1 >> 6) & 7))$((($1 >> 3) & 7))$(($1 & 7))"
    jr_len=$((jr_len + 1))
}

# jr_varint N: appends N (0 <= N < 2^63) as a protobuf varint.
jr_varint() {
    jr_vi=$1
    while [ "$jr_vi" -ge 128 ]; do
        jr_octal $(((jr_vi & 127) | 128))
        jr_vi=$((jr_vi >> 7))
    done
    jr_octal "$jr_vi"
}

# jr_delete_response PID STATUS SECONDS NANOS: prints containerd.task.v2.DeleteResponse
# {pid = 1, exit_status = 2, exited_at = 3 (google.protobuf.Timestamp {seconds = 1, nanos = 2})}
# byte for byte as protobuf-java writes it: fields in order, zero scalars left out, exited_at always set.
jr_delete_response() {
    jr_out='' jr_len=0
    if [ "$3" -ne 0 ]; then jr_octal 8; jr_varint "$3"; fi
    if [ "$4" -ne 0 ]; then jr_octal 16; jr_varint "$4"; fi
    jr_timestamp=$jr_out jr_timestamp_len=$jr_len
    jr_out='' jr_len=0
    if [ "$1" -ne 0 ]; then jr_octal 8; jr_varint "$1"; fi
    if [ "$2" -ne 0 ]; then jr_octal 16; jr_varint "$2"; fi
    jr_octal 26
    jr_varint "$jr_timestamp_len"
    # shellcheck disable=SC2059
    printf "$jr_out$jr_timestamp"
}

# jr_number TEXT MAX: TEXT is a canonical decimal (no sign, no leading zero) of at most MAX.
jr_number() {
    case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
    [ ${#1} -le 19 ] && [ "$1" -le "$2" ]
}

# jr_fast_delete: the delete action when the daemon has already deleted the container (runc
# delete, unmount) and left <bundle>/.jrunc-deleted ("<pid> <status> <seconds> <nanos>"). Answers
# what the JVM's delete answers: the init pid, 137 and now. containerd ignores the answer after a
# normal teardown; it only uses it when the daemon died, and then there is no marker.
jr_fast_delete() {
    jr_marker=${jr_bundle:-$PWD}/.jrunc-deleted
    [ -f "$jr_marker" ] || return 1
    jr_m_pid='' jr_m_status='' jr_m_seconds='' jr_m_nanos='' jr_m_extra=''
    read -r jr_m_pid jr_m_status jr_m_seconds jr_m_nanos jr_m_extra <"$jr_marker" || return 1
    [ -z "$jr_m_extra" ] || return 1
    jr_number "$jr_m_pid" 4294967295 && jr_number "$jr_m_status" 4294967295 || return 1
    jr_number "$jr_m_seconds" 253402300799 && jr_number "$jr_m_nanos" 999999999 || return 1
    jr_now || return 1
    jr_trace "delete fast $jr_namespace/$jr_id"
    jr_delete_response "$jr_m_pid" "$jr_killed_status" "$jr_seconds" "$jr_nanos"
}

# jr_now: sets jr_seconds and jr_nanos to the current time, canonical decimals.
jr_now() {
    jr_now=$(date +%s.%N) || return 1
    jr_seconds=${jr_now%.*} jr_nanos=${jr_now#*.}
    while :; do
        case $jr_nanos in
            0?*) jr_nanos=${jr_nanos#0} ;;
            *) break ;;
        esac
    done
    jr_number "$jr_seconds" 253402300799 && jr_number "$jr_nanos" 999999999
}

# jr_cleanup_delete: the delete action after the daemon died (no marker), as BundleCleanup does it, for the
# plain case: default runc options (no options.json, or "{}": runc's default root, cgroupfs), a runc binary
# named in <bundle>/runtime and found on PATH, umount on PATH. Removes the runc container (`runc delete
# --force`), unmounts the rootfs, frees the container's place in a bounded daemon and a dead daemon's state
# file, and answers the init pid (init.pid), 137 and now. A crashed namespace daemon leaves one of these per
# container, all run at once by containerd with a 5 s limit each: a JVM apiece would not make it on a busy node.
jr_cleanup_delete() {
    jr_b=${jr_bundle:-$PWD}
    [ -d "$jr_b" ] || return 1
    if [ -e "$jr_b/options.json" ]; then
        jr_opts=''
        read -r jr_opts <"$jr_b/options.json" || [ -n "$jr_opts" ] || return 1
        [ "$jr_opts" = "{}" ] || return 1
    fi
    case $jr_namespace in */* | . | ..) return 1 ;; esac
    command -v umount >/dev/null 2>&1 || return 1
    jr_runtime=''
    jr_has_runtime=''
    if [ -e "$jr_b/runtime" ]; then
        # Written at Create (BundleFiles): the runc binary the options named, empty meaning "runc".
        jr_has_runtime=1
        read -r jr_runtime <"$jr_b/runtime" || [ -n "$jr_runtime" ] || [ ! -s "$jr_b/runtime" ] || return 1
        [ -n "$jr_runtime" ] || jr_runtime=runc
        case $jr_runtime in -* | *[!A-Za-z0-9._/-]*) return 1 ;; esac
        command -v -- "$jr_runtime" >/dev/null 2>&1 || return 1
    fi
    jr_m_pid=0
    if [ -f "$jr_b/init.pid" ]; then
        read -r jr_m_pid <"$jr_b/init.pid" || [ -n "$jr_m_pid" ] || jr_m_pid=0
        jr_number "$jr_m_pid" 4294967295 || jr_m_pid=0
    fi
    jr_now || return 1
    if [ -n "$jr_has_runtime" ]; then
        # Failures only warn, as in the JVM: whatever is already gone counts as clean.
        "$jr_runtime" --root "/run/containerd/runc/$jr_namespace" --log "$jr_b/log.json" --log-format json \
            delete --force "$jr_id" >/dev/null 2>&1 ||
            printf '%s\n' "containerd-shim-jrunc-v2: failed to remove runc container $jr_id (see $jr_b/log.json)" >&2
    fi
    jr_n=0
    while [ -d "$jr_b/rootfs" ] && [ $jr_n -lt 32 ] && umount -- "$jr_b/rootfs" 2>/dev/null; do
        jr_n=$((jr_n + 1))
    done
    jr_release_place_and_state
    jr_trace "delete cleanup $jr_namespace/$jr_id"
    jr_delete_response "$jr_m_pid" "$jr_killed_status" "$jr_seconds" "$jr_nanos"
}

# jr_release_place_and_state: as the JVM's DeleteAction: the container's place in its bounded daemon
# (<socket>.slots/<n> -> id) and the state file of a daemon that is gone.
jr_release_place_and_state() {
    [ -f "$jr_b/address" ] || return 0
    read -r jr_addr <"$jr_b/address" || [ -n "$jr_addr" ] || return 0
    jr_sock=${jr_addr#unix://}
    case $jr_sock in /*) ;; *) return 0 ;; esac
    if [ -d "$jr_sock.slots" ]; then
        for jr_link in "$jr_sock.slots"/*; do
            [ -L "$jr_link" ] && [ "$(readlink -- "$jr_link")" = "$jr_id" ] && rm -f -- "$jr_link"
        done
    fi
    if [ -f "$jr_sock.pid" ]; then
        jr_pid='' jr_start='' jr_extra=''
        # A retiring daemon (third word) is alive too; only a file naming a process that is gone is stale.
        if read -r jr_pid jr_start jr_extra <"$jr_sock.pid" && ! jr_process_alive "$jr_pid" "$jr_start"; then
            # The dead daemon's status file (DaemonStatusFile) goes with it.
            rm -f -- "$jr_sock.pid" "$jr_sock.status"
        fi
    fi
    return 0
}

# jr_trace LINE: appends LINE to $JRUNC_TRACE when set (tests and benchmarks watch which path ran).
jr_trace() {
    [ -z "${JRUNC_TRACE-}" ] || printf '%s\n' "$1" >>"$JRUNC_TRACE"
}
