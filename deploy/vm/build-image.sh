#!/usr/bin/env bash
# Builds the disk of a Debian 12 (bookworm, amd64) VM with the kiosk installed by the real
# deploy/install-kiosk.sh, for deploy/vm/boot_check.py (`make vm-check`; deploy/README.md,
# "Checking an install on a real boot (VM)").
#
#   deploy/vm/build-image.sh WORKDIR WHEEL BROKEN_WHEEL
#
# 1. A Debian base (debootstrap: the "important" set a netinst with "standard system utilities"
#    has, the kernel, and qemu-guest-agent, through which the check drives the VM), made once and
#    kept in WORKDIR/cache/base (delete it to start again from the mirror).
# 2. A copy of it, where deploy/install-kiosk.sh --wheel WHEEL runs in a chroot as it would on a
#    kiosk (apt, the kiosk user, the release's virtual environment from PyPI, systemd, lock-down);
#    then kiosk.toml is filled in (a back office that does not answer) and the installer runs
#    again, as deploy/README.md says: it must say "complete" and "Nothing to change".
#    Downloaded .debs and pip's cache stay in WORKDIR/cache for the next run.
# 3. WORKDIR/image.raw (ext4, the root file system, no partitions) and the kernel and initrd
#    beside it, for qemu's -kernel/-initrd. BROKEN_WHEEL is left in /root for the upgrade check.
#
# What only the VM needs (not the kiosk): a static address for qemu's user network, an fstab,
# the guest agent. Root only (debootstrap, chroot, mount namespaces).
set -euo pipefail
umask 022
[ $# -eq 3 ] || { echo "usage: $0 WORKDIR WHEEL BROKEN_WHEEL" >&2; exit 64; }
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (debootstrap, chroot)" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
DEPLOY=$(dirname "$HERE")
mkdir -p "$1"
WORK=$(cd "$1" && pwd)
WHEEL=$(readlink -f "$2")
BROKEN=$(readlink -f "$3")
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
CACHE=$WORK/cache
BASE=$CACHE/base
ROOTFS=$WORK/root
IMAGE_SIZE=${VM_IMAGE_SIZE:-10G}

log() { printf '[build-image %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Run a command chrooted in DIR with /proc, /sys, /dev and the caches mounted, in a mount
# namespace of its own: whatever happens, the mounts go when the command ends.
in_chroot() {  # DIR COMMAND...
  local dir=$1
  shift
  mkdir -p "$CACHE/apt-archives/partial" "$CACHE/pip" "$dir/root/.cache/pip"
  # shellcheck disable=SC2016  # expanded by the inner shell
  unshare --mount --propagation private -- /bin/bash -euc '
    dir=$1 cache=$2; shift 2
    mount -t proc proc "$dir/proc"
    mount -t sysfs sys "$dir/sys"
    mount --rbind /dev "$dir/dev"
    mount -t tmpfs tmpfs "$dir/run"
    mount -t tmpfs tmpfs "$dir/tmp"
    mount --bind "$cache/apt-archives" "$dir/var/cache/apt/archives"
    mount --bind "$cache/pip" "$dir/root/.cache/pip"
    exec chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
  ' in_chroot "$dir" "$CACHE" "$@"
}

# --- 1. the Debian base (cached) ------------------------------------------------------------------
if [ ! -f "$BASE/.vm-base-complete" ]; then
  log "debootstrap bookworm from $MIRROR (once; a few minutes)"
  rm -rf "$BASE.tmp"
  mkdir -p "$CACHE"
  # (in a mount namespace of its own: the /proc and /sys it mounts go with it, even on failure)
  unshare --mount --propagation private -- \
    debootstrap --arch=amd64 --include=linux-image-amd64,qemu-guest-agent \
    bookworm "$BASE.tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
  cat >"$BASE.tmp/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
  cp -L /etc/resolv.conf "$BASE.tmp/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$BASE.tmp/usr/sbin/policy-rc.d"   # no daemons in a chroot
  chmod 0755 "$BASE.tmp/usr/sbin/policy-rc.d"
  in_chroot "$BASE.tmp" /bin/sh -c 'apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade >/dev/null'
  rm -f "$BASE.tmp/usr/sbin/policy-rc.d"
  touch "$BASE.tmp/.vm-base-complete"
  mv "$BASE.tmp" "$BASE"
else
  log "Debian base: cached in $BASE"
fi

# --- 2. the kiosk, installed by the real installer in a chroot ------------------------------------
log "copying the base to $ROOTFS"
rm -rf "$ROOTFS"
cp -a "$BASE" "$ROOTFS"
rm -f "$ROOTFS/.vm-base-complete"
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$ROOTFS/usr/sbin/policy-rc.d"
chmod 0755 "$ROOTFS/usr/sbin/policy-rc.d"
# This machine's way to PyPI goes into the VM too: its /etc/pip.conf (a mirror, a proxy) and the
# certificate authorities it trusts that Debian does not ship (a TLS-inspecting proxy's), as
# local CAs that ca-certificates adds to the image's bundle when the installer installs it.
[ ! -f /etc/pip.conf ] || cp /etc/pip.conf "$ROOTFS/etc/pip.conf"
python3 - /etc/ssl/certs/ca-certificates.crt "$ROOTFS/usr/local/share/ca-certificates" <<'EOF'
import glob
import os
import re
import sys

pem = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
try:
    with open(sys.argv[1]) as f:
        trusted = pem.findall(f.read())
except OSError:
    sys.exit(0)
shipped = set()
for path in glob.glob("/usr/share/ca-certificates/**/*.crt", recursive=True):
    with open(path) as f:
        shipped.update(c.replace("\n", "") for c in pem.findall(f.read()))
extra = [c for c in trusted if c.replace("\n", "") not in shipped]
os.makedirs(sys.argv[2], exist_ok=True)
for n, cert in enumerate(extra):
    with open(os.path.join(sys.argv[2], f"vm-build-host-{n}.crt"), "w") as f:
        f.write(cert + "\n")
print(f"{len(extra)} local CA(s) of this machine copied into the image")
EOF

# What the administrator copies onto the kiosk (deploy/README.md, "Installing"): deploy/ and
# the wheel.
mkdir -p "$ROOTFS/root/smart-kampung"
cp -a "$DEPLOY" "$ROOTFS/root/smart-kampung/deploy"
rm -rf "$ROOTFS/root/smart-kampung/deploy/vm"
cp "$WHEEL" "$BROKEN" "$ROOTFS/root/"
wheel_name=$(basename "$WHEEL")

log "install-kiosk.sh --wheel $wheel_name (apt and PyPI: 5-15 minutes; log: $WORK/install-1.log)"
if ! in_chroot "$ROOTFS" /root/smart-kampung/deploy/install-kiosk.sh --wheel "/root/$wheel_name" \
  >"$WORK/install-1.log" 2>&1; then
  tail -n 30 "$WORK/install-1.log" >&2
  echo "error: install-kiosk.sh failed in the chroot (log: $WORK/install-1.log)" >&2
  exit 1
fi

# The staff's part: kiosk.toml filled in (in place: the installer made its owner and mode).
log "filling in kiosk.toml; install-kiosk.sh again (log: $WORK/install-2.log)"
python3 - "$ROOTFS/etc/smart-kampung/kiosk.toml" <<'EOF'
import re
import sys

values = {"id": "VM01", "url": "http://127.0.0.1:8470", "token": "vm-check-" + "t" * 32,
          "village_key": "ab" * 32, "code": "35.10.15.2003", "name": "Kemiren",
          "district": "Glagah", "regency": "Kabupaten Banyuwangi", "province": "Jawa Timur",
          "address": "Jl. Barong No. 1, Kemiren", "head_name": "Kepala Desa Kemiren"}
with open(sys.argv[1], "r+") as f:
    text = f.read()
    for key, value in values.items():
        text, n = re.subn(rf'(?m)^{key} = ""', f'{key} = "{value}"', text)
        assert n == 1, key
    f.seek(0)
    f.write(text)
    f.truncate()
EOF
# A site setting only the VM needs (kiosk.env is the site's file): wlroots draws with pixman.
# Its virtio GPU has no 3D, and Mesa's software fallback (kms_swrast) crashes under qemu's
# emulator; a real kiosk's Intel/AMD GPU needs nothing here.
printf 'WLR_RENDERER=pixman\n' >>"$ROOTFS/etc/smart-kampung/kiosk.env"
if ! in_chroot "$ROOTFS" /root/smart-kampung/deploy/install-kiosk.sh >"$WORK/install-2.log" 2>&1; then
  cat "$WORK/install-2.log" >&2
  echo "error: the second install-kiosk.sh run failed (log: $WORK/install-2.log)" >&2
  exit 1
fi

# pip's cache goes into the image too: upgrade-kiosk.sh in the VM then downloads only what is new.
mkdir -p "$ROOTFS/root/.cache/pip"
cp -a "$CACHE/pip/." "$ROOTFS/root/.cache/pip/"

# --- 3. what only the VM needs, then the disk ----------------------------------------------------
rm -f "$ROOTFS/usr/sbin/policy-rc.d"
printf 'kiosk-vm\n' >"$ROOTFS/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tkiosk-vm\n' >"$ROOTFS/etc/hosts"
printf '/dev/vda\t/\text4\terrors=remount-ro\t0\t1\n' >"$ROOTFS/etc/fstab"
# qemu's user network (slirp): 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3 (upgrade-kiosk.sh
# builds a release from PyPI).
mkdir -p "$ROOTFS/etc/systemd/network"
cat >"$ROOTFS/etc/systemd/network/10-vm.network" <<'EOF'
[Match]
Name=en*
[Network]
Address=10.0.2.15/24
Gateway=10.0.2.2
EOF
printf 'nameserver 10.0.2.3\n' >"$ROOTFS/etc/resolv.conf"
ln -sfn /lib/systemd/system/systemd-networkd.service \
  "$ROOTFS/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
in_chroot "$ROOTFS" systemd-machine-id-setup >/dev/null
kernel=$(find "$ROOTFS/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
initrd=$ROOTFS/boot/initrd.img-${kernel##*/vmlinuz-}
if [ ! -f "$kernel" ] || [ ! -f "$initrd" ]; then
  echo "error: no kernel/initrd in $ROOTFS/boot" >&2
  exit 1
fi
cp "$kernel" "$WORK/vmlinuz"
cp "$initrd" "$WORK/initrd.img"
log "making $WORK/image.raw ($IMAGE_SIZE, ext4 from $ROOTFS)"
rm -f "$WORK/image.raw"
mkfs.ext4 -q -L kiosk-root -d "$ROOTFS" "$WORK/image.raw" "$IMAGE_SIZE"
log "done: $WORK/image.raw, $WORK/vmlinuz, $WORK/initrd.img"
