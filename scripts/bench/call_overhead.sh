#!/usr/bin/env bash
# Swift-vs-C call overhead from Lua (release build). Usage: scripts/bench/call_overhead.sh [calls]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/ensure-deps.sh
ensure_system_packages
# Same flags as the other bench scripts and scripts/perf-guard: one release build serves all.
swift build -c release --product churnlab >&2
.build/release/churnlab run scripts/bench/call_overhead.lua "$@"
