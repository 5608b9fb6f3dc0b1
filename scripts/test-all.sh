#!/bin/sh
# Builds jrunc and runs every test: unit tests and the integration tests against a
# private containerd with real runc (both the Go shim and jrunc). Needs root.
# First shellcheck over the shell scripts (scripts/lint-shell.sh): a finding fails the run.
set -eu
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
./scripts/lint-shell.sh
exec mvn -B verify "$@"
