#!/usr/bin/env bash
# Installs the given Debian packages that are not installed yet (as root, or with sudo).
# Usage: deploy/install-missing-packages.sh "what they are for" package ...
set -euo pipefail
purpose=$1
shift

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages for $purpose: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Please run as root (or install sudo): apt-get install ${missing[*]}"; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
