#!/bin/bash
# test/vm/run-in-vm.sh KERNEL COMMAND...
#
# Boots one of Debian's own kernels under QEMU (TCG), runs `bash -c COMMAND` in
# it as root, streams the command's output (stdout and stderr, merged) to our
# stdout, powers the VM off and exits with the command's exit code.
#
#   KERNEL   6.1 | 6.12 | a full release under /lib/modules (6.1.0-56-amd64)
#
# Inside the guest:
#   * the root is the host's / (9p, read-only) under an overlay with a tmpfs
#     upper layer: writable, but writes vanish at power-off;
#   * the checkout (the repository holding this script) is shared read-write
#     at the same path, so test/dist is the host's and results land on the host;
#   * openvswitch, veth, dummy, vxlan, geneve (and vport-vxlan, vport-geneve,
#     vport-gre when the kernel has them) are loaded, lo is up;
#   * the command runs in the caller's working directory with the caller's
#     exported environment plus YNL_VM=1, YNL_VM_KERNEL (the KERNEL argument)
#     and YNL_VM_KERNEL_RELEASE (uname -r).
#
# Exit codes: the command's; 124 when YNL_VM_TIMEOUT killed the VM; 125 when
# the VM itself failed (no kernel, no boot, no result). See test/vm/README.md.
#
# Environment:
#   YNL_VM_TIMEOUT       seconds for the whole run, boot included (default 600)
#   YNL_VM_BOOT_TIMEOUT  seconds until the guest script must have started
#                        (default 60); a stalled boot is killed and retried
#   YNL_VM_BOOT_RETRIES  retries after a stalled boot (default 1)
#   YNL_VM_MEM / YNL_VM_SMP  guest RAM in MiB (2048) / vCPUs (1: faster under TCG)
#   YNL_VM_ACCEL         tcg (default) | kvm
#   YNL_VM_CACHE         cache dir (default ${XDG_CACHE_HOME:-~/.cache}/ynl-ts-vm)
#   YNL_VM_DEBUG=1       print the guest console (kernel log) at the end
#   YNL_VM_KEEP=1        keep the per-run directory and print its path
set -euo pipefail

die() {
  echo "run-in-vm: $*" >&2
  exit 125
}
[ $# -ge 2 ] || die "usage: $0 6.1|6.12|<release> COMMAND..."
SEL=$1
shift
CMD="$*"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CHECKOUT=$(cd "$HERE/../.." && pwd -P)
CACHE=${YNL_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ynl-ts-vm}
TIMEOUT=${YNL_VM_TIMEOUT:-600}
BOOT_TIMEOUT=${YNL_VM_BOOT_TIMEOUT:-60}
BOOT_RETRIES=${YNL_VM_BOOT_RETRIES:-1}
MEM=${YNL_VM_MEM:-2048}
SMP=${YNL_VM_SMP:-1}
ACCEL=${YNL_VM_ACCEL:-tcg}
QEMU=qemu-system-x86_64
BUSYBOX=/bin/busybox
MODULES="openvswitch veth dummy vxlan geneve"
OPTIONAL_MODULES="vport-vxlan vport-geneve vport-gre"

command -v "$QEMU" >/dev/null || die "$QEMU not found: run test/vm/setup.sh"
[ -x "$BUSYBOX" ] || die "$BUSYBOX not found: run test/vm/setup.sh (busybox-static)"
command -v modprobe >/dev/null || die "modprobe not found: run test/vm/setup.sh (kmod)"
command -v cpio >/dev/null || die "cpio not found: run test/vm/setup.sh"

# ---- kernel ----------------------------------------------------------------
case "$SEL" in
  6.1 | 6.12)
    KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -name "$SEL.*-amd64" -printf '%f\n' 2>/dev/null | sort -V | tail -n1)
    ;;
  *) KVER=$SEL ;;
esac
[ -n "$KVER" ] || die "no $SEL.*-amd64 kernel under /lib/modules: run test/vm/setup.sh"
BZIMAGE=/boot/vmlinuz-$KVER
[ -r "$BZIMAGE" ] || die "$BZIMAGE not readable: run test/vm/setup.sh"
compgen -G "/lib/modules/$KVER/kernel/net/openvswitch/openvswitch.ko*" >/dev/null ||
  die "/lib/modules/$KVER has no openvswitch.ko"
mkdir -p "$CACHE" || die "cannot create $CACHE"

# Under TCG, decompressing a bzImage costs 3-4 s per boot: boot the ELF
# vmlinux inside it through its PVH entry instead (extracted once, cached).
KERNEL=$BZIMAGE
VMLINUX=$CACHE/vmlinux-$KVER-$(stat -c '%s-%Y' "$BZIMAGE")
if [ ! -s "$VMLINUX" ]; then
  if /usr/bin/python3 "$HERE/extract-vmlinux.py" "$BZIMAGE" "$VMLINUX.tmp.$$"; then
    mv -f "$VMLINUX.tmp.$$" "$VMLINUX"
  else
    rm -f "$VMLINUX.tmp.$$"
    echo "run-in-vm: no PVH vmlinux in $BZIMAGE, booting the bzImage (slower)" >&2
  fi
fi
[ -s "$VMLINUX" ] && KERNEL=$VMLINUX

# ---- initramfs: busybox + the modules to reach the host root, cached --------
# shellcheck disable=SC2016 # expanded by the guest's sh, not here
INIT_SCRIPT='#!/bin/sh
export PATH=/bin
fail() { echo "ynlvm-init: FAILED: $*"; echo o > /proc/sysrq-trigger; sleep 30; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/mods/$m" || fail "insmod $m"; done < /mods/order
O9P="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$O9P,ro,cache=loose" hostroot /lower || fail "mount 9p hostroot"
mount -t tmpfs -o mode=755 tmpfs /upper
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || fail "mount overlay"
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mkdir -p /newroot/run/ynlvm
mount -t 9p -o "$O9P,cache=none" ynlrun /newroot/run/ynlvm || fail "mount 9p ynlrun"
for d in dev proc sys; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /bin/bash /run/ynlvm/guest.sh
fail "switch_root"
'
INITRD_KEY=$({
  echo "$KVER"
  echo "$INIT_SCRIPT"
  cksum <"$BUSYBOX"
} | sha256sum | cut -c1-16)
INITRD=$CACHE/initramfs-$KVER-$INITRD_KEY.cpio.gz
if [ ! -s "$INITRD" ]; then
  B=$(mktemp -d "$CACHE/build.XXXXXX")
  mkdir -p "$B"/{bin,mods,dev,proc,sys,lower,upper,newroot}
  cp "$BUSYBOX" "$B/bin/busybox"
  for a in sh mount insmod mkdir switch_root sleep echo; do ln -s busybox "$B/bin/$a"; done
  : >"$B/mods/order"
  for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++' | while read -r p; do
    n=$(basename "$p")
    case "$n" in
      *.ko) cp "$p" "$B/mods/$n" ;;
      *.ko.xz) n=${n%.xz} && xz -dc "$p" >"$B/mods/$n" ;;
      *.ko.zst) n=${n%.zst} && zstd -qdc "$p" >"$B/mods/$n" ;;
      *.ko.gz) n=${n%.gz} && gzip -dc "$p" >"$B/mods/$n" ;;
      *) continue ;;
    esac
    echo "$n" >>"$B/mods/order"
  done
  grep -q '^9p.ko$' "$B/mods/order" || die "could not resolve the 9p modules of $KVER"
  printf '%s' "$INIT_SCRIPT" >"$B/init"
  chmod 755 "$B/init"
  (cd "$B" && find . -mindepth 1 | cpio -o -H newc --quiet | gzip -1) >"$INITRD.tmp.$$"
  mv -f "$INITRD.tmp.$$" "$INITRD"
  rm -rf "$B"
fi

# shellcheck disable=SC2054 # commas are QEMU option syntax
case "$ACCEL" in
  tcg) ACCEL_ARGS=(-accel tcg,thread=multi -cpu max) ;;
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  *) die "YNL_VM_ACCEL must be tcg or kvm" ;;
esac

# ---- per-run directory, shared with the guest as 9p tag ynlrun ---------------
CWD=$(pwd -P)
RUN=$(mktemp -d "${TMPDIR:-/tmp}/ynl-vm.XXXXXX")
QPID=
CPID=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$QPID" ]; then kill "$QPID" 2>/dev/null || true; fi
  if [ -n "$CPID" ]; then kill "$CPID" 2>/dev/null || true; fi
  if [ "${YNL_VM_KEEP:-0}" = 1 ]; then
    echo "run-in-vm: run dir kept: $RUN" >&2
  else
    rm -rf "$RUN"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

printf '%s' "$CMD" >"$RUN/cmd"
printf '%s' "$CWD" >"$RUN/cwd"
printf '%s' "$CHECKOUT" >"$RUN/checkout"
printf '%s' "$SEL" >"$RUN/kernel"
printf '%s' "$MODULES" >"$RUN/modules"
printf '%s' "$OPTIONAL_MODULES" >"$RUN/optional_modules"
export -p >"$RUN/env"

cat >"$RUN/guest.sh" <<'GUEST'
#!/bin/bash
# PID 1 in the guest after switch_root. Kernel console: ttyS0; command: ttyS1.
S=/run/ynlvm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec </dev/null >/dev/ttyS0 2>&1
: >$S/booted
up() { cut -d' ' -f1 /proc/uptime; }
finish() {
  echo "$1" >$S/rc
  echo "ynlvm: exit $1"
  sync
  echo o >/proc/sysrq-trigger
  # no sleep binary: the 9p root may be gone once power-off starts
  mkfifo /run/.never 2>/dev/null
  read -r -t 60 <>/run/.never
  exit "$1"
}
echo "ynlvm: guest script at $(up)s"
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
mountpoint -q /sys/fs/cgroup || mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount --make-rshared / 2>/dev/null
hostname ynlvm 2>/dev/null
ip link set lo up
for m in $(cat $S/modules); do modprobe "$m" || echo "ynlvm: modprobe $m FAILED"; done
for m in $(cat $S/optional_modules); do
  if modprobe -n "$m" 2>/dev/null; then modprobe "$m" || echo "ynlvm: modprobe $m FAILED"; fi
done
echo "ynlvm: modules loaded at $(up)s"
CHECKOUT=$(cat $S/checkout)
mkdir -p "$CHECKOUT"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=mmap ynlco "$CHECKOUT" ||
  { echo "ynlvm: cannot mount the checkout"; finish 125; }
exec 3>/dev/ttyS1
stty raw -echo <&3
set -a
. $S/env 2>/dev/null
set +a
unset OLDPWD
export YNL_VM=1 YNL_VM_KERNEL="$(cat $S/kernel)" YNL_VM_KERNEL_RELEASE="$(uname -r)" SHLVL=1
CWD=$(cat $S/cwd)
cd "$CWD" 2>/dev/null || { echo "ynlvm: cannot cd to $CWD"; finish 125; }
export PWD="$CWD"
mkfifo /run/out.fifo /run/.tick
exec 5<>/run/.tick # never written: "read -t" on it is a fork-free sleep
cat /run/out.fifo >&3 &
CP=$!
echo "ynlvm: command starts at $(up)s"
bash -c "$(cat $S/cmd)" </dev/null >/run/out.fifo 2>&1 3>&- 5>&-
rc=$?
echo "ynlvm: command exited $rc at $(up)s"
# bounded wait for the copier: a left-over background process may hold the fifo
for _ in $(seq 50); do kill -0 $CP 2>/dev/null || break; read -r -t 0.1 -u 5; done
kill $CP 2>/dev/null
wait
exec 3>&- # the last close of a tty waits until its output is sent
finish $rc
GUEST

mkfifo "$RUN/out.fifo"
# shellcheck disable=SC2054 # commas are QEMU option syntax
QARGS=(
  -nodefaults -no-user-config -display none -no-reboot
  -M pc "${ACCEL_ARGS[@]}" -smp "$SMP" -m "$MEM"
  -kernel "$KERNEL" -initrd "$INITRD"
  -append "console=ttyS0 quiet loglevel=3 panic=-1 rdinit=/init 8250.nr_uarts=2"
  -serial "file:$RUN/console.log"
  -chardev "file,id=out,path=$RUN/out.fifo" -serial chardev:out
  -fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap"
  -device virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot
  -fsdev "local,id=fsrun,path=$RUN,security_model=none,multidevs=remap"
  -device virtio-9p-pci,fsdev=fsrun,mount_tag=ynlrun
  -fsdev "local,id=fsco,path=${CHECKOUT//,/,,},security_model=none,multidevs=remap"
  -device virtio-9p-pci,fsdev=fsco,mount_tag=ynlco
)

START=$SECONDS
STALLED=0
QRC=0
for try in $(seq 1 $((BOOT_RETRIES + 1))); do
  rm -f "$RUN/booted" "$RUN/rc"
  cat "$RUN/out.fifo" &
  CPID=$!
  LEFT=$((TIMEOUT - (SECONDS - START)))
  [ "$LEFT" -gt 0 ] || LEFT=1
  timeout -k 5 "$LEFT" "$QEMU" "${QARGS[@]}" </dev/null 2>"$RUN/qemu.err" &
  QPID=$!
  # boot watchdog: guest.sh creates $RUN/booted first thing (~3 s into a boot);
  # rarely a TCG boot stalls in the kernel for minutes before /init.
  STALLED=0
  T0=$SECONDS
  while [ ! -e "$RUN/booted" ] && kill -0 "$QPID" 2>/dev/null; do
    if ((SECONDS - T0 >= BOOT_TIMEOUT)); then
      STALLED=1
      kill "$QPID" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  QRC=0
  wait "$QPID" || QRC=$?
  QPID=
  # unblock the copier if QEMU never opened the fifo, then let it drain
  exec 7<>"$RUN/out.fifo"
  exec 7>&-
  wait "$CPID" 2>/dev/null || true
  CPID=
  [ "$STALLED" = 1 ] || break
  {
    echo "run-in-vm: $KVER did not reach the guest script within ${BOOT_TIMEOUT}s (attempt $try); console tail:"
    tail -n 5 "$RUN/console.log"
  } >&2
done

if [ "${YNL_VM_DEBUG:-0}" = 1 ]; then
  {
    echo "---- guest console ($KVER) ----"
    cat "$RUN/console.log"
    echo "---- qemu stderr ----"
    cat "$RUN/qemu.err"
  } >&2
fi
RC=
if [ -s "$RUN/rc" ]; then
  RC=$(cat "$RUN/rc")
else
  # fallback: the marker line on the kernel console
  RC=$(sed -n 's/^ynlvm: exit \([0-9]*\).*/\1/p' "$RUN/console.log" | tail -n1)
fi
if [ -n "$RC" ]; then
  exit "$RC"
fi
{
  if [ "$STALLED" = 1 ]; then
    echo "run-in-vm: $KVER never booted (boot watchdog, $((BOOT_RETRIES + 1)) attempts)."
  elif [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
    echo "run-in-vm: $KVER killed after YNL_VM_TIMEOUT=${TIMEOUT}s; command: $CMD"
  else
    echo "run-in-vm: the VM ($KVER) ended without a result (qemu exit $QRC)."
  fi
  echo "---- qemu stderr ----"
  tail -n 20 "$RUN/qemu.err"
  echo "---- guest console (tail) ----"
  tail -n 40 "$RUN/console.log"
} >&2
if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then exit 124; fi
exit 125
