#!/usr/bin/env bash
# `make vm-check`: the kiosk installed by the real deploy/install-kiosk.sh into a Debian 12 VM,
# booted with KVM, checked on real systemd and cage (deploy/README.md, "Checking an install on a
# real boot (VM)"): the service becomes active through the app's READY=1, the screen shows the
# kiosk, the watchdog restarts a frozen app, the lock-down holds (masked Ctrl+Alt+Del, no SysRq,
# no VT switch, logind's settings), the kiosk comes back after a reboot, and upgrade-kiosk.sh
# goes back from a broken wheel. Report and screenshots: build/vm/report.txt, build/vm/*.png.
#
# Not part of `make test`: it needs root and /dev/kvm, downloads Debian (~1 GB) and the app's
# PyPI packages, and takes 15-25 minutes the first time (about 10 with build/vm/cache/).
#
#   deploy/vm/vm-check.sh [--skip-reboot] [--no-upgrade]
set -euo pipefail
umask 022
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$REPO/build/vm
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
check_args=() upgrade=1
for a in "$@"; do
  case $a in
    --skip-reboot) check_args+=(--skip-reboot) ;;
    --no-upgrade) upgrade=0 ;;
    *) echo "usage: $0 [--skip-reboot] [--no-upgrade]" >&2; exit 64 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "error: run as root (debootstrap, chroot, KVM)" >&2; exit 1; }
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
  echo "error: no usable /dev/kvm" >&2
  exit 1
fi
[ -x "$PYTHON" ] || PYTHON=python3
"$REPO/deploy/install-missing-packages.sh" "the VM boot check" \
  debootstrap qemu-system-x86 qemu-utils e2fsprogs util-linux
start=$(date +%s)
mkdir -p "$WORK"
rm -f "$WORK"/report.txt "$WORK"/*.png

# Two wheels of this working tree (as tests/test_deploy.py builds them): the one installed, and
# a "next version" that loads and accepts kiosk.toml but exits at once: the upgrade must go back.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$REPO/pyproject.toml" | head -n 1)
broken_version=$version.post1
rm -rf "$WORK/src" "$WORK/wheels"
mkdir -p "$WORK/wheels"
build_wheel() {  # VERSION [broken]
  local src=$WORK/src/$1
  mkdir -p "$src"
  tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./var \
    --exclude=__pycache__ --exclude='*.egg-info' --exclude=.pytest_cache --exclude=.ruff_cache \
    --exclude=node_modules -cf - . | tar -C "$src" -xf -
  sed -i "s/^version = \".*\"$/version = \"$1\"/" "$src/pyproject.toml"
  if [ "${2:-}" = broken ]; then
    printf 'raise SystemExit("deliberately broken build (deploy/vm/vm-check.sh)")\n' \
      >"$src/ui/__main__.py"
  fi
  "$PYTHON" -m pip wheel --quiet --no-deps --no-input --disable-pip-version-check \
    -w "$WORK/wheels" "$src"
}
build_wheel "$version"
build_wheel "$broken_version" broken
wheel=$WORK/wheels/smart_kampung-$version-py3-none-any.whl
broken=$WORK/wheels/smart_kampung-$broken_version-py3-none-any.whl

"$REPO/deploy/vm/build-image.sh" "$WORK" "$wheel" "$broken"
built=$(date +%s)
[ "$upgrade" -eq 0 ] || check_args+=(--broken-wheel "$(basename "$broken")")
status=0
python3 "$REPO/deploy/vm/boot_check.py" "$WORK" "${check_args[@]}" || status=$?
end=$(date +%s)
printf '\nImage built in %d s, boot check %d s, %d s in all.\n' \
  $((built - start)) $((end - built)) $((end - start)) | tee -a "$WORK/report.txt"
echo "Report: $WORK/report.txt; screenshots: $WORK/*.png"
exit "$status"
