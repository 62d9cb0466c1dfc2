#!/usr/bin/env bash
# Installs the system packages the test suite drives for real: PostgreSQL 15 (tests start their
# own throwaway cluster; the packaged one is not used), systemd-analyze (unit checks) and nginx
# (the shipped site config is exercised in front of a real mdb), curl and jq (SADM's Ansible
# inventory is read as `curl -fs http://mdb/call/ansible | jq .data`) and python3 (a stdlib-only
# client shaped like SADM's RPC client); for DHCP/DNS/TFTP/netboot: real clients (dhclient, udhcpc,
# dig, tftp-hpa), load generators (perfdhcp, dnsperf), the reference daemons and their checkers
# (Kea, dnsmasq, named-checkzone), iproute2 for network namespaces, and QEMU with iPXE and OVMF.
# Idempotent: does nothing when they are already there.
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v runuser >/dev/null 2>&1 || need+=(util-linux)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v dhclient >/dev/null 2>&1 || need+=(isc-dhcp-client)
command -v udhcpc >/dev/null 2>&1 || need+=(udhcpc busybox)
command -v dig >/dev/null 2>&1 || need+=(dnsutils)
command -v named-checkzone >/dev/null 2>&1 || need+=(bind9-utils)
command -v tftp >/dev/null 2>&1 || need+=(tftp-hpa)
command -v perfdhcp >/dev/null 2>&1 || need+=(kea-admin)
command -v kea-dhcp4 >/dev/null 2>&1 || need+=(kea-dhcp4-server)
command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -f /usr/lib/ipxe/undionly.kpxe ] || need+=(ipxe)
[ -d /usr/lib/ipxe/qemu ] || need+=(ipxe-qemu)
[ -f /usr/share/ovmf/OVMF.fd ] || need+=(ovmf)
# Presence, SSO and firewall: a real PAM stack (pamtester through pam_exec), nftables and ipset
# in network namespaces, wrk for `pnpm bench:sso`.
command -v pamtester >/dev/null 2>&1 || need+=(pamtester)
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ipset >/dev/null 2>&1 || need+=(ipset)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
# The usermap pings machines (SADM: ping -c 1 -W 2).
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
# Headless Chromium prints the password sheets to PDF (and will drive the web UI's tests).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The web UI's print test reads Chromium's PDF back with poppler's pdftotext and pdfinfo.
command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${need[*]}; run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
