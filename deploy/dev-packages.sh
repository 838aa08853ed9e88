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
  # voice guidance: prompts rendered with espeak-ng's Indonesian voice, played with aplay
  # (paplay on a kiosk with PipeWire/PulseAudio)
  espeak-ng alsa-utils
  # time zones (WIB) for letter dates
  tzdata
  # the back-office tests run on PostgreSQL too (tests/postgres_rig.py starts its own server)
  postgresql
  # printing: the real CUPS daemon, its command-line tools, and cups-pdf, the queue that prints
  # to PDF files instead of paper (devices/cups_rig.py starts a private cupsd with it)
  cups cups-client cups-bsd printer-driver-cups-pdf
  # the staff pages' tests drive Debian's Chromium with Playwright (no browser download)
  chromium
  # tests/test_deploy.py: `systemd-analyze verify` on the kiosk's units (it checks that the
  # compositor they start, cage, exists) and shellcheck on the deploy scripts
  systemd cage shellcheck
  "$@"
)

exec "$(dirname "$0")/install-missing-packages.sh" "the kiosk, its tests and its tour" "${packages[@]}"
