#!/bin/bash
# Installs the Debian 12 packages the OVS VM suite needs (and gcc for the
# benchmark's C baseline).
# Idempotent and fast when everything is present (CI runs it every time):
# `apt-get update` runs only when something is missing. Needs root to install.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

want=(qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static
  openvswitch-switch kmod cpio linux-libc-dev gcc zstd python3)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

missing() {
  local p
  for p in "${want[@]}"; do installed "$p" || echo "$p"; done
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
mapfile -t todo < <(missing)
if [ ${#todo[@]} -gt 0 ]; then
  echo "setup: still missing: ${todo[*]}" >&2
  exit 1
fi
echo "setup: done"
