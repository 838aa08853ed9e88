#!/usr/bin/env bash
# Installs the Debian packages that `make demo`, `make test` and `make tour` need, when missing.
# Usage: deploy/dev-packages.sh [extra package ...]   (as root, or with sudo available)
set -euo pipefail

packages=(
  # the real PC/SC stack with a virtual reader, and what pyscard compiles against
  pcscd vsmartcard-vpcd libpcsclite-dev swig gcc
  # Python (a stock Debian 12 needs venv and headers)
  python3 python3-venv python3-dev
  # letters: the embedded font, and PDF → PNG for looking at them
  fonts-dejavu-core poppler-utils
  # Qt runtime, offscreen and on a real screen (xcb)
  libegl1 libgl1 libopengl0 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1
  # time zones (WIB) for letter dates
  tzdata
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Please run as root (or install sudo): apt-get install ${missing[*]}"; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
