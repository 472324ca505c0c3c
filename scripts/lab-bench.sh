#!/usr/bin/env bash
# The lab's figures: 6 hosts up with the base cached, down, idle memory per host, and (with
# --scratch) base + repository built from scratch in a separate state directory.
#   scripts/lab-bench.sh [ROUNDS] [--scratch]        (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}; scratch=no
for a in "$@"; do [ "$a" = --scratch ] && scratch=yes; done
[[ $rounds =~ ^[0-9]+$ ]] || rounds=5
npx tsc -p tsconfig.json >/dev/null 2>&1 || true   # emits even when another part does not type-check
lv() { node bin/lvsplay.js "$@"; }
ms() { date +%s%3N; }

lv lab up >/dev/null   # base built here if not cached
echo "round  up(ms)  down(ms)  idle PSS per host (MB, min-max)  RSS sum per host (MB, max)"
for i in $(seq "$rounds"); do
  lv lab down >/dev/null
  t0=$(ms); lv lab up >/dev/null; t1=$(ms)
  sleep 1
  mem=$(lv lab status --format json | node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const p = s.hosts.map((h) => h.pssKb / 1024), r = s.hosts.map((h) => h.rssKb / 1024);
    console.log(`${Math.min(...p).toFixed(1)}-${Math.max(...p).toFixed(1)}  ${Math.max(...r).toFixed(1)}`);')
  t2=$(ms); lv lab down >/dev/null; t3=$(ms)
  printf '%5s  %6s  %8s  %s\n' "$i" $((t1 - t0)) $((t3 - t2)) "$mem"
done

if [ $scratch = yes ]; then
  # one lab per machine: the namespaces are named the same whatever the state directory
  dir=$(mktemp -d /var/lib/lvsplay/bench-scratch.XXXXXX)
  t0=$(ms)
  LVSPLAY_LAB_DIR=$dir node bin/lvsplay.js lab up -i inventory/lab.ini >/dev/null 2>&1 &&
    LVSPLAY_LAB_DIR=$dir node bin/lvsplay.js lab down --purge >/dev/null
  t1=$(ms)
  echo "base + repo from scratch, then 6 hosts up and down: $(( (t1 - t0) / 1000 )) s; base $(du -sh "$dir/base" | cut -f1), repo $(du -sh "$dir/repo" | cut -f1)"
  rm -rf "$dir"
fi
lv lab up >/dev/null
