#!/usr/bin/env bash
# The cluster demo (`bash scripts/demo.sh` on a fresh machine, or `npm run demo`). This part only
# gets the machine ready, since nothing of the project runs before `npm ci`: it installs the
# machine packages (scripts/install-deps.sh), the npm packages, builds, and hands over to the
# demo itself, a TypeScript zx script (src/demo/main.ts) that drives the lab API and
# `lvsplay verify`. The lab needs root: run as root, or as a user with sudo (then, and only
# then, this script asks sudo to run it as root).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -- bash scripts/demo.sh "$@"; fi
  echo "demo: run as root (the lab uses network namespaces); this machine has no sudo" >&2
  exit 1
fi
bash scripts/install-deps.sh
if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "demo: needs Node.js 20 or later with npm (https://nodejs.org, or your distribution's nodejs)" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --no-audit --no-fund; fi
npm run --silent build
exec node dist/demo/main.js "$@"
