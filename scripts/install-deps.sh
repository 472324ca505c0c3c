#!/usr/bin/env bash
# Installs the machine packages lvsplay's lab, tests and benchmark use (Debian/Ubuntu, as root).
# Safe to repeat: installs only what is missing.
set -euo pipefail
# debootstrap builds the lab's Debian base, dpkg-dev indexes its offline apt repository,
# OpenSSH gives lab keys and a loopback sshd for transport tests, nftables partitions the lab,
# shellcheck checks init scripts, ansible-core is compared against in tests and the benchmark
# (never a runtime dependency of lvsplay); the benchmark's peer is Debian's `ansible` (with the
# ansible.posix and community.mysql collections), timed with GNU time.
PKGS=(debootstrap dpkg-dev openssh-client openssh-server iproute2 util-linux procps psmisc
  nftables iptables shellcheck ansible-core ansible time)
# verify probes the lab from its controller namespace: curl for HTTP, arping for ARP replies.
PKGS+=(curl iputils-arping)
# The transport tests: sudo for become, socat as a ProxyCommand, busybox sh as a third shell
# the quoting helper is proven against.
PKGS+=(sudo socat busybox)
# lint's differential test runs Debian's keepalived 2.2 and 2.3 (scripts/keepalived-binaries.sh
# fetches them with apt-get and dpkg-deb, runs them with chroot and unshare in a network namespace
# made with ip); binutils' strings feeds scripts/keepalived-keywords.py, which regenerates lint's
# keyword tables from the binaries.
PKGS+=(binutils)
# The lab's directors run as User-Mode Linux guests where the machine's kernel has no IPVS:
# linux.uml (with IPVS as modules), uml_mconsole (asks a guest to shut down), mkfs.ext4 (makes
# the guests' root image), gcc and libc6-dev (build the ptrace shim linux.uml needs on CPUs with
# AMX: assets/lab/lvsplay-uml-xstate.c).
PKGS+=(user-mode-linux uml-utilities e2fsprogs gcc libc6-dev)
# The lab's systemd hosts (Debian 12 and 13 with systemd as PID 1) are booted by systemd-nspawn;
# it needs no systemd as the machine's own init.
PKGS+=(systemd-container)
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get needs it)" >&2
  exit 1
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
