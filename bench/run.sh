#!/usr/bin/env bash
# Fennec's load benchmark (see bench/README.md):
#   bench/run.sh [--pg URL] [--smoke] [--skip-big] [--bin PATH] [bench.py options]
#   bench/run.sh --vs-zou [--pg URL] [--bin PATH] [vs_zou.py options]
# Builds the release binary unless --bin is given, installs wrk when it is
# missing (Debian's package), then runs bench/bench.py; with --vs-zou,
# bench/vs_zou.py instead, after installing gazu (.venv-gazu) and Zou 1.0.97
# ($ZOU_VENV, default /tmp/zou-venv, as tests/gazu/zou_reference uses) when
# they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
have_bin=no
vs_zou=no
while [ $# -gt 0 ]; do
    case "$1" in
        --vs-zou) vs_zou=yes; shift ;;
        --bin) have_bin=yes; args+=("$1" "$2"); shift 2 ;;
        --bin=*) have_bin=yes; args+=("$1"); shift ;;
        *) args+=("$1"); shift ;;
    esac
done

if [ "$have_bin" = no ]; then
    cargo build --release --bin fennec
    args+=(--bin target/release/fennec)
fi

# wrk makes the load; nginx serves the same answers as files, which is
# the wire the list targets are measured against (bench/wire.py).
for tool in wrk:wrk nginx:nginx; do
    cmd="${tool%%:*}" package="${tool##*:}"
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "[bench] installing $package" >&2
            apt-get install -y -qq "$package" >/dev/null 2>&1 \
                || { apt-get update -qq >/dev/null && apt-get install -y -qq "$package" >/dev/null; }
        else
            echo "[bench] $cmd is missing: sudo apt-get install -y $package" >&2
            exit 1
        fi
    fi
done

if [ "$vs_zou" = yes ]; then
    venv=.venv-gazu
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet -r tests/gazu/requirements.txt
    zou_venv="${ZOU_VENV:-/tmp/zou-venv}"
    if [ ! -x "$zou_venv/bin/gunicorn" ]; then
        echo "[bench] installing Zou 1.0.97 into $zou_venv" >&2
        python3 -m venv "$zou_venv"
        "$zou_venv/bin/pip" install --quiet zou==1.0.97
    fi
    ZOU_VENV="$zou_venv" exec "$venv/bin/python" bench/vs_zou.py ${args[@]+"${args[@]}"}
fi
exec python3 bench/bench.py ${args[@]+"${args[@]}"}
