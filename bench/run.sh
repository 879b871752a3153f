#!/usr/bin/env bash
# Fennec's load benchmark (see bench/README.md):
#   bench/run.sh [--pg URL] [--smoke] [--skip-big] [--bin PATH] [bench.py options]
# Builds the release binary unless --bin is given, installs wrk when it is
# missing (Debian's package), then runs bench/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
have_bin=no
while [ $# -gt 0 ]; do
    case "$1" in
        --bin) have_bin=yes; args+=("$1" "$2"); shift 2 ;;
        --bin=*) have_bin=yes; args+=("$1"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

if [ "$have_bin" = no ]; then
    cargo build --release --bin fennec
    args+=(--bin target/release/fennec)
fi

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "[bench] installing wrk" >&2
        apt-get install -y -qq wrk >/dev/null 2>&1 \
            || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
    else
        echo "[bench] wrk is missing: sudo apt-get install -y wrk" >&2
        exit 1
    fi
fi

exec python3 bench/bench.py ${args[@]+"${args[@]}"}
