#!/bin/bash
# Installs the Debian 12 packages the OVS VM suite and the uapi cross-check need.
# Idempotent and fast when everything is present (CI runs it every time):
# `apt-get update` runs only when something is missing. Needs root to install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

want=(qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static
  openvswitch-switch kmod cpio linux-libc-dev gcc zstd python3)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# The 6.12 uapi headers (linux/openvswitch.h) come from the "common" headers
# package that matches the installed 6.12 kernel, e.g.
# linux-headers-6.12.117+deb12-common for 6.12.117+deb12-amd64.
headers_pkg() {
  local k
  k=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '6.12.*-amd64' -printf '%f\n' 2>/dev/null | sort -V | tail -n1)
  [ -n "$k" ] && echo "linux-headers-${k%-amd64}-common"
}

missing() {
  local p
  for p in "${want[@]}"; do installed "$p" || echo "$p"; done
  p=$(headers_pkg || true)
  if [ -n "$p" ] && ! installed "$p"; then echo "$p"; fi
}

mapfile -t todo < <(missing)
if [ ${#todo[@]} -eq 0 ]; then
  echo "setup: all VM suite packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup: missing packages (need root to install): ${todo[*]}" >&2
  exit 1
fi
echo "setup: installing: ${todo[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${todo[@]}"
# The headers package name is known only once the 6.12 kernel is installed.
mapfile -t todo < <(missing)
if [ ${#todo[@]} -gt 0 ]; then
  apt-get install -y -qq --no-install-recommends "${todo[@]}"
fi
mapfile -t todo < <(missing)
if [ ${#todo[@]} -gt 0 ]; then
  echo "setup: still missing: ${todo[*]}" >&2
  exit 1
fi
echo "setup: done"
