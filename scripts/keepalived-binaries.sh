#!/usr/bin/env bash
# Fetches Debian's keepalived for each release lint knows (bookworm: 2.2.7, trixie: 2.3.3) with
# apt, without installing anything: a private apt state per release, `install --download-only`
# against an empty dpkg status (so apt downloads keepalived with its whole library closure), then
# `dpkg-deb -x` of every package into CACHE/RELEASE/root. Run the daemon there with
#   chroot CACHE/RELEASE/root /usr/sbin/keepalived -l -t -f /PATH/IN/ROOT
# (needs root, or `unshare -r` for an unprivileged user namespace).
#
# Traps this avoids:
# - trixie's keepalived needs glibc 2.41 while bookworm has 2.36: it cannot run on the host's
#   loader and libraries (GLIBC_2.38 not found), only on its own, hence the chroot;
# - trixie's packages ship only /usr (merged /usr): the ELF interpreter /lib64/ld-linux-x86-64.so.2
#   is missing until lib, lib64, bin, sbin link into usr (base-files makes them on a real system);
# - keepalived 2.3 reads /etc/keepalived/keepalived.config-opts at start-up and exits 1 without
#   it: the absolute path is why LD_LIBRARY_PATH or the extracted loader alone is not enough.
#
# Usage: scripts/keepalived-binaries.sh [CACHE]   (default ${XDG_CACHE_HOME:-~/.cache}/lvsplay/keepalived)
# Prints CACHE. Safe to repeat: a release already extracted is kept.
set -euo pipefail
cache=${1:-${LVSPLAY_KEEPALIVED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lvsplay/keepalived}}
mirror=${LVSPLAY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# A Debian host has root and nobody (base-passwd): script_user root and the default script user
# are looked up in the root's /etc/passwd and /etc/group, which the packages alone do not ship.
users() {
  [ -e "$1/etc/passwd" ] || printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$1/etc/passwd"
  [ -e "$1/etc/group" ] || printf 'root:x:0:\nnogroup:x:65534:\n' >"$1/etc/group"
}
for rel in bookworm trixie; do
  d=$cache/$rel
  if [ -x "$d/root/usr/sbin/keepalived" ]; then users "$d/root"; continue; fi
  rm -rf "$d"
  mkdir -p "$d/apt/state/lists/partial" "$d/apt/cache/archives/partial" "$d/apt/etc" "$d/root"
  echo "deb $mirror $rel main" >"$d/apt/etc/sources.list"
  : >"$d/apt/state/status"
  opts=(-o "Dir::State=$d/apt/state" -o "Dir::State::status=$d/apt/state/status" -o "Dir::Cache=$d/apt/cache"
    -o "Dir::Etc::SourceList=$d/apt/etc/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
    -o Debug::NoLocking=1 -o APT::Install-Recommends=0 -o APT::Get::List-Cleanup=0)
  apt-get -q "${opts[@]}" update >&2
  apt-get -q -y "${opts[@]}" install --download-only keepalived >&2
  for deb in "$d"/apt/cache/archives/*.deb; do dpkg-deb -x "$deb" "$d/root"; done
  for dir in lib lib64 bin sbin; do [ -e "$d/root/$dir" ] || ln -s "usr/$dir" "$d/root/$dir"; done
  users "$d/root"
  rm -rf "$d/apt/cache"
  [ -x "$d/root/usr/sbin/keepalived" ] || { echo "keepalived-binaries: no keepalived in $rel" >&2; exit 1; }
done
echo "$cache"
