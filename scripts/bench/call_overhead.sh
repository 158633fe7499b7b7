#!/usr/bin/env bash
# Swift-vs-C call overhead from Lua (release build). Usage: scripts/bench/call_overhead.sh [calls]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/ensure-deps.sh
ensure_system_packages
swift build -c release --product churnlab >&2
.build/release/churnlab run scripts/bench/call_overhead.lua "$@"
