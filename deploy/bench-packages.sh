#!/usr/bin/env bash
# Installs the Debian packages `make bench` needs to compare our letters with the tools a
# village would otherwise use (bench/bench_letter_alternatives.py), when missing. Not needed
# by `make test`. The Python side (weasyprint, python-docx) is the `bench` extra.
# Usage: deploy/bench-packages.sh [extra package ...]   (as root, or with sudo available)
set -euo pipefail

packages=(
  # LibreOffice headless (.docx → PDF), without the GUI
  libreoffice-writer-nogui
  # WeasyPrint's libraries; libharfbuzz-subset0 is its fast font-subsetting path (without it
  # WeasyPrint falls back to fontTools and is ~4× slower: not a fair comparison)
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  # the same font in all three
  fonts-dejavu-core
  "$@"
)

exec "$(dirname "$0")/install-missing-packages.sh" "the benchmarks" "${packages[@]}"
