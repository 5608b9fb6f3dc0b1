#!/bin/sh
# Installs, when missing, what jrunc's build, demo and tests need on Debian 12:
# runc, containerd 1.6 (with ctr and the reference Go shim), busybox-static, Maven, shellcheck,
# and checks for the Temurin 25 JDK. Needs root. Idempotent.
set -eu

missing=""
for pkg in runc containerd busybox-static maven shellcheck; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done
if [ -n "$missing" ]; then
    echo "jrunc: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >&2
fi

JAVA_HOME="${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x "$JAVA_HOME/bin/java" ]; then
    echo "jrunc: needs a Java 25 JDK at $JAVA_HOME (Temurin 25); set JAVA_HOME_25 to another one" >&2
    exit 1
fi
