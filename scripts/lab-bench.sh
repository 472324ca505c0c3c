#!/usr/bin/env bash
# The lab's figures: 6 hosts up with the base cached, down, idle memory per host, and (with
# --scratch) base + repository built from scratch in a separate state directory.
#   scripts/lab-bench.sh [ROUNDS] [--scratch]        (as root)
# This builds; the figures are taken by bench/src/lab-figures.ts (zx and the lab API).
set -euo pipefail
cd "$(dirname "$0")/.."
npx --no-install tsc -p tsconfig.json >/dev/null
npx --no-install tsc -p bench/tsconfig.json >/dev/null
exec node bench/.build/bench/src/lab-figures.js "$@"
