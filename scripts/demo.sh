#!/usr/bin/env bash
# The cluster demo (`npm run demo`, or `sudo bash scripts/demo.sh` on a fresh machine): brings
# the lab up, deploys playbooks/site.yaml twice (the second run changes nothing), then proves
# the cluster: VRRP failover and recovery, MariaDB master-master replication, real servers that
# accept the VIP without answering ARP for it, and (where the directors have IPVS, e.g. as UML
# guests) the LVS-DR data path from the lab's client. Every step is bounded in time and prints
# figures.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: run as root (the lab uses network namespaces): sudo bash scripts/demo.sh" >&2
  exit 1
fi
bash scripts/install-deps.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci; fi
npx tsc -p tsconfig.json

INV=inventory/lab.ini
CTL=lvsplay-ctl
LOG=$(mktemp -d /tmp/lvsplay-demo.XXXXXX)
lvsplay() { node bin/lvsplay.js "$@"; }
ms() { date +%s%3N; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }
fail() { printf '   FAILED: %s\n' "$*" >&2; exit 1; }
on() { local h=$1; shift; timeout 20 node bin/lvsplay.js lab exec "$h" -- "$@"; }
ctl() { timeout 20 ip netns exec "$CTL" "$@"; }

VIP=$(awk '$1 == "lvs_vip:" { print $2 }' inventory/group_vars/all/cluster.yml)
# Hosts of an inventory group, and a host variable, as written in the INI inventory.
group_hosts() { awk -v g="[$1]" '/^\[/ { sec = $0; next } sec == g && NF && $1 !~ /^[#;]/ { print $1 }' "$INV"; }
host_var() { awk -v h="$1" -v k="$2=" '$1 == h { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$INV"; }
mapfile -t DIRECTORS < <(group_hosts directors)
mapfile -t WEBS < <(group_hosts realservers)

holds_vip() { on "$1" ip -o -4 addr show dev eth0 2>/dev/null | grep -q -F " $VIP/"; }
vip_holders() { local h; for h in "${DIRECTORS[@]}"; do if holds_vip "$h"; then printf '%s ' "$h"; fi; done; }
# Waits (at most $1 seconds) until `vip_holders` prints $2; prints the milliseconds it took.
wait_holders() {
  local limit=$1 want=$2 t0 now
  t0=$(ms)
  while :; do
    [ "$(vip_holders)" = "$want" ] && { echo $(($(ms) - t0)); return 0; }
    now=$(ms)
    [ $((now - t0)) -gt $((limit * 1000)) ] && return 1
    sleep 0.1
  done
}
recap() { sed -n '/PLAY RECAP/,$p' "$1"; }

step "lab up"
timeout 300 node bin/lvsplay.js lab up -i "$INV"

for run in 1 2; do
  step "lvsplay run site.yaml, run $run"
  t0=$(ms)
  set +e
  timeout 1200 node bin/lvsplay.js run site.yaml -i "$INV" >"$LOG/run$run.txt" 2>&1
  rc=$?
  set -e
  recap "$LOG/run$run.txt"
  [ "$rc" -eq 0 ] || { tail -40 "$LOG/run$run.txt"; fail "run $run exited $rc (log: $LOG/run$run.txt)"; }
  ok "run $run converged in $(( ($(ms) - t0) / 1000 )) s"
done
if recap "$LOG/run2.txt" | grep -q -E 'changed=[1-9]'; then fail "the second run changed something"; fi
ok "second run: changed=0 on every host"

step "the VIP $VIP is on exactly one director"
holders=$(vip_holders)
[ "$(wc -w <<<"$holders")" -eq 1 ] || fail "VIP holders: '${holders}'"
master=${holders% }
for d in "${DIRECTORS[@]}"; do [ "$d" != "$master" ] && backup=$d; done
want=$(for d in "${DIRECTORS[@]}"; do echo "$(host_var "$d" vrrp_priority) $d"; done | sort -n | tail -n 1 | cut -d' ' -f2)
[ "$master" = "$want" ] || fail "$master holds the VIP, but $want has the highest priority"
ok "$master (highest priority) holds the VIP, $backup is the backup"

step "lab crash $master: the VIP moves to $backup"
node bin/lvsplay.js lab crash "$master"
took=$(wait_holders 20 "$backup ") || fail "the VIP did not move to $backup within 20 s"
ok "VIP on $backup ${took} ms after the crash of $master"

step "lab boot $master: the cluster recovers"
t0=$(ms)
timeout 120 node bin/lvsplay.js lab boot "$master"
took=$(wait_holders 60 "$master ") || fail "$master did not take the VIP back within 60 s"
ok "$master booted and holds the VIP again $(( $(ms) - t0 )) ms after 'lab boot' (VRRP preemption ${took} ms after the boot returned)"

step "MariaDB master-master: a row written on each server appears on the other"
sql() { on "$1" mariadb --batch --skip-column-names -e "$2"; }
sql db1 "CREATE DATABASE IF NOT EXISTS demo; CREATE TABLE IF NOT EXISTS demo.rows (id INT AUTO_INCREMENT PRIMARY KEY, origin VARCHAR(16), token VARCHAR(40))"
# Hosts share this machine's clock: the writer stamps the commit, a loop on the reader stamps
# the moment the row is there; the difference is the replication delay.
for pair in "db1 db2" "db2 db1"; do
  read -r from to <<<"$pair"
  token="$from-$(date +%s%N)"
  count="SELECT COUNT(*) FROM demo.rows WHERE token='$token'"
  on "$to" timeout 30 sh -c "until [ \"\$(mariadb -N -B -e \"$count\")\" = 1 ]; do sleep 0.005; done; date +%s%3N" >"$LOG/seen" &
  poller=$!
  sleep 0.5
  wrote=$(on "$from" sh -c "mariadb -e \"INSERT INTO demo.rows (origin, token) VALUES ('$from', '$token')\" && date +%s%3N")
  wait "$poller" || fail "the row written on $from did not reach $to within 30 s"
  seen=$(cat "$LOG/seen")
  delay=$((seen - wrote)); [ "$delay" -ge 0 ] || delay=0
  ok "row written on $from seen on $to ${delay} ms after its commit (resolution: one mariadb client start, a few ms)"
done
ids=$(sql db1 "SELECT GROUP_CONCAT(id ORDER BY id) FROM demo.rows")
ok "auto-increment ids interleave without collision: $ids"

step "each real server answers HTTP, holds the VIP on lo, and does not answer ARP for it"
dev=$(ctl ip -o route get "$VIP" | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }')
for w in "${WEBS[@]}"; do
  addr=$(host_var "$w" ansible_host)
  page=$(ctl curl -s --max-time 5 "http://$addr/") || fail "$w ($addr) does not answer HTTP"
  grep -q "$w" <<<"$page" || fail "$w's page does not name it"
  ok "$w ($addr) answers HTTP with a page naming it"
  on "$w" ip -o -4 addr show dev lo | grep -q -F " $VIP/32" || fail "$w does not hold $VIP/32 on lo"
  ignore=$(on "$w" sysctl -n net.ipv4.conf.all.arp_ignore)
  announce=$(on "$w" sysctl -n net.ipv4.conf.all.arp_announce)
  ok "$w holds $VIP/32 on lo; arp_ignore=$ignore arp_announce=$announce"
  # What an LVS-DR director does to a packet: the VIP as destination, the real server's MAC.
  # Pin the VIP to this real server's MAC in the controller's neighbour table for one request.
  mac=$(on "$w" cat /sys/class/net/eth0/address)
  ctl ip neigh replace "$VIP" lladdr "$mac" dev "$dev" nud permanent
  page=$(ctl curl -s --max-time 5 "http://$VIP/") || { ctl ip neigh del "$VIP" dev "$dev"; fail "$w does not accept a request for the VIP sent to its MAC"; }
  ctl ip neigh del "$VIP" dev "$dev"
  grep -q "$w" <<<"$page" || fail "a request for the VIP sent to $w's MAC was answered by someone else"
  ok "$w answers http://$VIP/ when the frame is sent to its MAC (direct routing)"
done
# Who answers ARP for the VIP: the controller resolves it afresh.
ctl ip neigh flush to "$VIP" dev "$dev" 2>/dev/null || true
# Any packet to the VIP makes the controller ask; a TCP connect needs no extra tool.
ctl timeout 3 bash -c ": </dev/tcp/$VIP/80" 2>/dev/null || true
lladdr=$(ctl ip neigh show to "$VIP" dev "$dev" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
holder=$(vip_holders); holder=${holder% }
[ "$lladdr" = "$(on "$holder" cat /sys/class/net/eth0/address)" ] || fail "ARP for $VIP resolved to $lladdr, not to the director $holder"
ok "ARP for $VIP resolves to the director $holder ($lladdr), not to a real server"

step "the IPVS data path"
if on "$holder" test -e /proc/net/ip_vs; then
  kind=$(node bin/lvsplay.js lab status --format json | node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(s.hosts.find((h) => h.name === process.argv[1]).kind)' "$holder")
  ok "$holder has IPVS (lab host kind: $kind); keepalived programmed it:"
  on "$holder" ipvsadm -Ln
  SVC="$VIP:80"
  # N connections from the client, one at a time; prints how many each real server answered
  spread() {
    on client sh -c "i=0; while [ \$i -lt $1 ]; do timeout 3 busybox wget -q -O - http://$VIP/ 2>/dev/null | sed -n 's:.*<title>\(.*\)</title>.*:\1:p' | grep . || echo FAILED; i=\$((i + 1)); done" |
      sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }'
  }
  weights=$(for w in "${WEBS[@]}"; do printf '%s %s, ' "$w" "$(host_var "$w" lvs_weight)"; done)
  on "$holder" ipvsadm -Z -t "$SVC"
  on "$holder" ipvsadm -E -t "$SVC" -s wrr
  got=$(spread 200)
  on "$holder" ipvsadm -E -t "$SVC" -s wlc
  ok "wrr, 200 connections from client: ${got%, } (weights: ${weights%, })"
  grep -q FAILED <<<"$got" && fail "some connections failed"
  got=$(spread 200)
  ok "wlc (the cluster's setting), 200 connections: ${got%, }"
  sleep 2  # the kernel's totals lag up to 2 s
  read -r conns inpkts outpkts < <(on "$holder" ipvsadm -Ln --stats --exact -t "$SVC" | awk '$1 == "TCP" { print $3, $4, $5 }')
  [ "$outpkts" = 0 ] || fail "the director sent $outpkts reply packets: not direct routing"
  ok "$holder: $conns connections, $inpkts packets in, $outpkts out: the real servers answer the client directly (DR)"
  # the real server closes first (HTTP/1.0): its side of each finished connection waits in TIME-WAIT
  waiting=$(on "${WEBS[0]}" ss -Htn state time-wait)
  grep -q -E "$VIP:80 +10\.0\.7\.100:" <<<"$waiting" || fail "${WEBS[0]} did not see the client's address"
  ok "${WEBS[0]} saw the client's own address (10.0.7.100) on connections to $VIP:80"

  in_table() { local t; t=$(on "$holder" ipvsadm -Ln -t "$SVC"); grep -q -F " $1:80 " <<<"$t"; }
  w=${WEBS[1]}; addr=$(host_var "$w" ansible_host)
  on "$w" service lighttpd stop >/dev/null
  t0=$(ms)
  until ! in_table "$addr"; do
    [ $(($(ms) - t0)) -gt 120000 ] && { on "$w" service lighttpd start; fail "$w stayed in the IPVS table 120 s after its web server stopped"; }
    sleep 0.2
  done
  ok "$w's web server stopped: keepalived's health check took it out of the table after $(( $(ms) - t0 )) ms"
  got=$(spread 20)
  ok "20 connections now: ${got%, }"
  grep -q -E "FAILED|$w " <<<"$got" && { on "$w" service lighttpd start; fail "a connection failed or reached $w"; }
  on "$w" service lighttpd start >/dev/null
  t0=$(ms)
  until in_table "$addr"; do
    [ $(($(ms) - t0)) -gt 120000 ] && fail "$w did not come back into the table within 120 s"
    sleep 0.2
  done
  ok "$w's web server started: back in the table after $(( $(ms) - t0 )) ms"

  # one connection at a time for 20 s, each stamped, given up after 1 s; the master dies at 3 s
  on client sh -c "end=\$((\$(date +%s) + 20)); while [ \$(date +%s) -lt \$end ]; do t=\$(date +%s%3N); w=\$(timeout 1 busybox wget -q -O - http://$VIP/ 2>/dev/null | sed -n 's:.*<title>\(.*\)</title>.*:\1:p'); echo \"\$t \${w:-FAILED}\"; done" >"$LOG/failover" &
  loop=$!
  sleep 3
  node bin/lvsplay.js lab crash "$holder"
  wait "$loop" || true
  gap=$(awk '$2 == "FAILED" && !f { f = 1; next } !f { last = $1 } f && $2 != "FAILED" { print $1 - last; exit }' "$LOG/failover")
  [ -n "$gap" ] || fail "the client did not get through the VIP again within 20 s of the crash of $holder"
  # after the gap: connections that failed (a lost SYN costs the 1 s allowed) and all of them
  read -r late after < <(awk '$2 == "FAILED" { f = 1 } f && $2 != "FAILED" { r = 1 } r { a++ } r && $2 == "FAILED" { n++ } END { print n + 0, a + 0 }' "$LOG/failover")
  [ $((late * 100)) -le "$after" ] || fail "$late of $after connections failed after the failover (more than 1%)"
  ok "crash of $holder: connections to the VIP go through $backup after a gap of ${gap} ms; $late of $after later connections failed"
  timeout 120 node bin/lvsplay.js lab boot "$holder"
  wait_holders 60 "$holder " >/dev/null || fail "$holder did not take the VIP back within 60 s"
  ok "$holder booted and holds the VIP again"
else
  echo "   NOT PROVEN: the directors' kernel has no IPVS (this machine's kernel lacks it and they are not"
  echo "   UML guests: install user-mode-linux and run 'lab up --kind directors=uml'), so keepalived runs"
  echo "   VRRP only (--vrrp) and does not forward connections. Proven above: VRRP failover, the real"
  echo "   servers' VIP on lo and ARP behaviour, direct-routing delivery to each real server."
fi
printf '\ndemo: all steps passed (logs in %s)\n' "$LOG"
