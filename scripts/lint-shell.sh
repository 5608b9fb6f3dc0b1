#!/bin/sh
# Runs shellcheck over the project's shell scripts: the launcher (it answers containerd's start
# and delete without a JVM), the scripts here and the CI entry. All of them are POSIX sh, so
# they are checked as sh. Any finding fails the run (exit status of shellcheck).
# Intentional constructs carry a targeted `# shellcheck disable=SCxxxx` with the reason.
set -eu
cd "$(dirname "$0")/.."

if ! command -v shellcheck >/dev/null 2>&1; then
    echo "$0: shellcheck is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
exec shellcheck -s sh -x \
    shim-launcher/src/main/dist/bin/* \
    shim-launcher/src/main/dist/lib/launcher.sh \
    scripts/*.sh \
    .ci/run
