#!/usr/bin/env bash
# Checks that the benchmark harness works: a real server, `fennec seed`
# at scale 1, every scenario for 2 s at 1 and 8 connections, no request
# failing. It asserts no timing. Uses $FENNEC_BIN, else target/debug/fennec
# (built when missing); runs on PostgreSQL too when
# FENNEC_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${FENNEC_BIN:-target/debug/fennec}"
if [ ! -x "$bin" ]; then
    if [ -n "${FENNEC_BIN:-}" ]; then
        echo "FENNEC_BIN=$FENNEC_BIN is not an executable" >&2
        exit 1
    fi
    cargo build --bin fennec
fi

pg=()
if [ -n "${FENNEC_TEST_DATABASE_URL:-}" ]; then
    pg=(--pg "$FENNEC_TEST_DATABASE_URL")
fi

bench/run.sh --smoke --bin "$bin" ${pg[@]+"${pg[@]}"} "$@"
