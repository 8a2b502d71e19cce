#!/bin/bash
# test/vm/run-ovs-suite.sh: runs the OVS tests (test/dist/ovs, compiled from
# test/src/ovs) inside a VM for each kernel and prints a summary per kernel.
# Exits non-zero if any kernel's run failed. `npm run test:ovs` builds first.
#
#   YNL_VM_KERNELS   kernels to run (default "6.1 6.12")
#   YNL_VM_TIMEOUT   seconds per kernel (default 1200 here: the whole suite runs
#                    in one VM, ~5-10 min per kernel on a shared 2-core host)
#   other YNL_VM_*   see run-in-vm.sh
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ROOT=$(cd "$HERE/../.." && pwd -P)
cd "$ROOT"
KERNELS=${YNL_VM_KERNELS:-6.1 6.12}
export YNL_VM_TIMEOUT=${YNL_VM_TIMEOUT:-1200}

if [ ! -d test/dist/ovs ]; then
  echo "run-ovs-suite: test/dist/ovs is missing: build first (npm run test:ovs does)" >&2
  exit 2
fi

# In the guest: the datapath module must be there (the tests themselves skip
# without it, so that a host run of the layer is harmless; here that is a failure).
# shellcheck disable=SC2016 # expanded in the guest
GUEST_CMD='if [ ! -d /sys/module/openvswitch ]; then
  echo "run-ovs-suite: openvswitch module is not loaded in the VM ($YNL_VM_KERNEL_RELEASE)"; exit 3
fi
node test/run.mjs ovs'

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/ynl-ovs-suite.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT
declare -A RESULT
FAILED=0
T_ALL=$SECONDS
for k in $KERNELS; do
  echo "==== OVS suite on Linux $k ===="
  T0=$SECONDS
  rc=0
  "$HERE/run-in-vm.sh" "$k" "$GUEST_CMD" 2>&1 | tee "$LOGDIR/$k.log" || rc=${PIPESTATUS[0]}
  # node's spec reporter ends with "ℹ tests N", "ℹ pass N", ...
  counts=$(grep -aE '^ℹ (tests|pass|fail|skipped|todo) [0-9]+' "$LOGDIR/$k.log" | sed 's/^ℹ //' | paste -sd' ' - || true)
  RESULT[$k]="rc=$rc ${counts:-no test summary} ($((SECONDS - T0)) s)"
  if [ "$rc" != 0 ]; then FAILED=1; fi
done
echo "==== OVS suite summary ($((SECONDS - T_ALL)) s) ===="
for k in $KERNELS; do
  status=ok
  case "${RESULT[$k]}" in rc=0\ *) ;; *) status=FAILED ;; esac
  printf '  Linux %-5s %-6s %s\n' "$k" "$status" "${RESULT[$k]}"
done
exit "$FAILED"
