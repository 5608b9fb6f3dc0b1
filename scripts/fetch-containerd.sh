#!/bin/sh
# Fetches the containerd releases the conformance matrix runs against, besides the system's 1.6:
#   1.7  from Debian trixie  (package containerd 1.7.x)
#   2.1  from Debian sid     (package containerd 2.1.x)
# with `apt-get download` under a PRIVATE apt configuration (own sources.list, lists, cache and
# state under <cache>/apt; the system's /etc/apt sources, lists and dpkg status are never read
# or written), then unpacks each .deb with `dpkg -x` into <cache>/<version>/root. Nothing is
# installed: the system's containerd 1.6 stays as it is. Each tree has its own containerd, ctr
# and Go shim (containerd-shim-runc-v2) in root/usr/bin; <cache>/<version>/VERSION holds the
# Debian package version.
#
#   scripts/fetch-containerd.sh              fetch 1.7 and 2.1 when not cached yet
#   scripts/fetch-containerd.sh 2.1          only 2.1
#   scripts/fetch-containerd.sh --refresh    fetch again even when cached
#
# Cache dir: $JRUNC_CONTAINERD_CACHE, default /var/cache/jrunc/containerd. Needs root (dpkg -x
# keeps the files' owners) and deb.debian.org. The Release files are verified with
# /usr/share/keyrings/debian-archive-keyring.gpg (signed-by), which on Debian 12 (2023.3+deb12u2)
# holds the trixie keys that sign trixie and sid. Exit status: 0 all present, 1 failed (the
# reason is on stderr), 2 bad arguments. Safe to run concurrently (flock on the cache dir).
set -eu

cache="${JRUNC_CONTAINERD_CACHE:-/var/cache/jrunc/containerd}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror="${JRUNC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
refresh=0
versions=""
for arg in "$@"; do
    case "$arg" in
        --refresh) refresh=1 ;;
        1.7|2.1) versions="$versions $arg" ;;
        *) echo "usage: $0 [--refresh] [1.7] [2.1]" >&2; exit 2 ;;
    esac
done
[ -n "$versions" ] || versions="1.7 2.1"

die() {
    echo "fetch-containerd: $*" >&2
    exit 1
}

suite_of() {
    case "$1" in
        1.7) echo trixie ;;
        2.1) echo sid ;;
    esac
}

[ "$(id -u)" = 0 ] || die "run as root (dpkg -x into $cache)"
for tool in apt-get apt-cache dpkg flock; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
[ -r "$keyring" ] || die "no Debian archive keyring at $keyring (apt-get install debian-archive-keyring)"

# A version counts as present when its binaries run and say the right version.
present() {
    bin="$cache/$1/root/usr/bin"
    [ -x "$bin/containerd" ] && [ -x "$bin/ctr" ] && [ -x "$bin/containerd-shim-runc-v2" ] \
        && "$bin/containerd" --version 2>/dev/null | grep -q " $1\."
}

todo=""
for v in $versions; do
    if [ "$refresh" = 1 ] || ! present "$v"; then
        todo="$todo $v"
    fi
done
if [ -z "$todo" ]; then
    for v in $versions; do
        echo "containerd $v: $(cat "$cache/$v/VERSION") in $cache/$v/root/usr/bin (cached)"
    done
    exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9

apt_dir="$cache/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc"
: > "$apt_dir/status"
{
    for v in $todo; do
        echo "deb [signed-by=$keyring] $mirror $(suite_of "$v") main"
    done
} > "$apt_dir/etc/sources.list"
# Every path apt would take from /etc/apt or /var/lib/apt points into $apt_dir instead.
set -- \
    -o Dir::Etc::SourceList="$apt_dir/etc/sources.list" \
    -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::Etc::Preferences="$apt_dir/etc/preferences" \
    -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State="$apt_dir" \
    -o Dir::State::Lists="$apt_dir/lists" \
    -o Dir::State::status="$apt_dir/status" \
    -o Dir::Cache="$apt_dir" \
    -o Dir::Cache::archives="$apt_dir/archives" \
    -o APT::Get::List-Cleanup=0 \
    -o Acquire::Languages=none

echo "fetch-containerd: apt-get update (private lists in $apt_dir/lists)" >&2
apt-get -q "$@" --error-on=any update >&2 || die "apt-get update failed for$(for v in $todo; do printf ' %s' "$(suite_of "$v")"; done) from $mirror (network or signature problem, see above)"

for v in $todo; do
    suite=$(suite_of "$v")
    # The candidate of that suite only (the private sources may list both).
    deb_version=$(apt-cache "$@" madison containerd | awk -v s="$suite/main" '$0 ~ s {print $3; exit}')
    [ -n "$deb_version" ] || die "Debian $suite has no containerd package"
    case "$deb_version" in
        "$v".*) ;;
        *) die "Debian $suite now ships containerd $deb_version, not $v.x: update the conformance matrix (scripts/fetch-containerd.sh, ContainerdDistribution)" ;;
    esac
    work=$(mktemp -d "$cache/.fetch-$v.XXXXXX")
    # apt drops privileges to _apt for downloads; let it write the download dir.
    if id _apt >/dev/null 2>&1; then
        chown _apt "$work"
    fi
    echo "fetch-containerd: apt-get download containerd=$deb_version ($suite)" >&2
    (cd "$work" && apt-get -q "$@" download "containerd=$deb_version" >&2) \
        || { rm -rf "$work"; die "apt-get download containerd=$deb_version failed"; }
    deb=$(ls "$work"/containerd_*.deb)
    mkdir "$work/root"
    dpkg -x "$deb" "$work/root" || { rm -rf "$work"; die "dpkg -x $deb failed"; }
    out=$("$work/root/usr/bin/containerd" --version 2>&1) \
        || { rm -rf "$work"; die "containerd $deb_version does not run on this system: $out"; }
    echo "$deb_version" > "$work/VERSION"
    rm -f "$deb"
    chown root:root "$work"
    chmod 0755 "$work"
    rm -rf "${cache:?}/$v"
    mv "$work" "$cache/$v"
    echo "containerd $v: $deb_version in $cache/$v/root/usr/bin ($out)"
done
for v in $versions; do
    present "$v" || die "containerd $v still missing from $cache/$v"
done
