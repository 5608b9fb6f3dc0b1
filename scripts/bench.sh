#!/bin/sh
# jrunc benchmark: the Go shim (io.containerd.runc.v2) and jrunc (io.containerd.jrunc.v2) side by
# side on one private containerd — ctr run --rm latency, exec latency, ttrpc Task.State round trip,
# stdout/stderr throughput, shim RSS/PSS with 1/20/100 running containers — plus the bare runc run
# floor. Prints a Markdown table and writes it to integration-tests/target/bench/results.md.
# Not part of the test run. Needs root. See docs/benchmarks.md.
# (It is a Java main in integration-tests' test sources: io.jrunc.bench.ShimBenchmark.)
#
#   scripts/bench.sh           full run (1 GiB per stream, up to 100 containers per shim; 10-15 min)
#   scripts/bench.sh --quick   quick run (256 MiB, 1 and 10 containers; ~2 min)
#
# JRUNC_SKIP_BUILD=1 skips the root `mvn install` (the benchmark classes are still compiled);
# JRUNC_BENCH_ONLY=ManyConnectionsStateBench,... runs only those workloads (class names);
# JRUNC_MVN_FLAGS adds Maven flags (e.g. -o for offline).
# Ctrl-C stops it; every container, shim and directory it made is removed on the way out.
# Exit status: 0 all measured, 3 some row failed (see the table), 1 could not start, 2 bad arguments.
set -eu
cd "$(dirname "$0")/.."

case "${1:-}" in
    ""|--quick) ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then
    echo "$0: runs containerd and runc, run it as root" >&2
    exit 1
fi

export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow"
flags="-B -q ${JRUNC_MVN_FLAGS:-}"

if [ "${JRUNC_SKIP_BUILD:-}" != 1 ]; then
    echo "== building jrunc (mvn install -DskipTests)"
    # shellcheck disable=SC2086
    mvn $flags -DskipTests install
fi

# The benchmark runs from a private copy of the integration-tests test classes and their
# dependencies: a rebuild in the checkout while it runs (classes rewritten under a live JVM) must
# not break it, least of all its cleanup.
work=$(mktemp -d /tmp/jrunc-bench-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
trap 'interrupted=1' INT TERM
interrupted=0
# shellcheck disable=SC2086
mvn $flags -pl integration-tests test-compile dependency:copy-dependencies \
    -DincludeScope=test -DoutputDirectory="$work/lib"
cp -R integration-tests/target/test-classes "$work/classes"

# Ctrl-C reaches java too (same process group): its shutdown hook removes what it started, then
# this script removes the copy.
status=0
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Djrunc.projectRoot="$(pwd)" \
    -cp "$work/classes:$work/lib/*" io.jrunc.bench.ShimBenchmark ${1:+"$1"} || status=$?
[ "$interrupted" = 0 ] || echo "$0: interrupted" >&2
exit "$status"
