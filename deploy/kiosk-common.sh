# shellcheck shell=bash disable=SC2034  # the settings below are for the scripts sourcing this
# What install-kiosk.sh and upgrade-kiosk.sh share: where things live, writing a file only when
# it differs (so a second run changes nothing and can say so), and the app's releases.
#
# Releases: every version of the app is a virtual environment of its own under
# /opt/smart-kampung/releases/<version>/ (the district's wheel and its dependencies, the voice
# prompts and the compiled translations), and /opt/smart-kampung/current points at the one that
# runs. An upgrade builds the new one beside the old and only moves the link, so going back is
# moving it back. A release is complete once its marker file is written, last.
#
# Every path below is the path on the kiosk; with --root DIR the scripts work on DIR/<path>
# instead (a scratch root for tests: no apt, no systemctl, users in DIR/etc/passwd).

APP_DIR=/opt/smart-kampung
RELEASES=$APP_DIR/releases
CURRENT=$APP_DIR/current
TOOLS_DIR=$APP_DIR/bin
CONF_DIR=/etc/smart-kampung
CONFIG=$CONF_DIR/kiosk.toml
KEY_FILE=$CONF_DIR/kiosk.key
DATA_DIR=/var/lib/smart-kampung
KIOSK_USER=kiosk
KIOSK_HOME=/home/kiosk
UNIT=smart-kampung-kiosk.service
MARKER=.smart-kampung-release   # in a release: version, wheel checksum, when; written last
STATE=.smart-kampung-state      # in a release: how its last start went (upgrade-kiosk.sh)
# Debian's python3 (3.11 on Debian 12), not whatever python3 comes first on PATH
PYTHON=${SMART_KAMPUNG_PYTHON:-/usr/bin/python3}

ROOT=""       # set by --root
CHANGES=0     # what this run changed; 0 at the end: "nothing to change"

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
changed() { CHANGES=$((CHANGES + 1)); say "  changed: $*"; }

# The real location of a path on the kiosk: itself, or under the scratch root.
r() { printf '%s%s' "$ROOT" "$1"; }

set_root() {
  [ -n "$1" ] || die "--root needs a directory"
  mkdir -p "$1"
  ROOT=$(cd "$1" && pwd)
  [ "$ROOT" != / ] || ROOT=""
}

need_root_user() {
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 …)"
}

# One install or upgrade at a time on a kiosk.
take_lock() {
  local dir
  dir=$(r "$APP_DIR")
  mkdir -p "$dir"
  exec 9>>"$dir/.deploy.lock"
  flock -n 9 || die "another install or upgrade is running (lock $dir/.deploy.lock)"
}

# Numeric ids from the kiosk's own passwd/group (the scratch root's with --root, where the
# names may mean other ids than on this machine).
uid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$(r /etc/passwd)"; }
gid_of() { awk -F: -v n="$1" '$1 == n { print $3; exit }' "$(r /etc/group)"; }
members_of() { awk -F: -v n="$1" '$1 == n { print $4; exit }' "$(r /etc/group)"; }

ids_of() {  # USER GROUP -> "uid:gid"
  local uid gid
  uid=$(uid_of "$1"); gid=$(gid_of "$2")
  [ -n "$uid" ] || die "no user $1 in $(r /etc/passwd)"
  [ -n "$gid" ] || die "no group $2 in $(r /etc/group)"
  printf '%s:%s' "$uid" "$gid"
}

# Owner and mode of PATH as USER GROUP MODE, changed (and said) only when they differ.
ensure_owner_mode() {
  local path=$1 user=$2 group=$3 mode=$4 real ids now
  real=$(r "$path")
  ids=$(ids_of "$user" "$group")
  now=$(stat -c '%u:%g %a' "$real")
  if [ "$now" != "$ids ${mode#0}" ]; then
    chown "$ids" "$real"
    chmod "$mode" "$real"
    changed "$path: owner $user:$group, mode $mode"
  fi
}

ensure_dir() {  # PATH USER GROUP MODE
  local real
  real=$(r "$1")
  if [ ! -d "$real" ]; then
    mkdir -p "$real"
    chown "$(ids_of "$2" "$3")" "$real"
    chmod "$4" "$real"
    changed "$1: created"
  else
    ensure_owner_mode "$@"
  fi
}

# Install SRC as PATH when PATH is missing or differs; then its owner and mode.
put_file() {  # SRC PATH USER GROUP MODE
  local src=$1 path=$2 real tmp
  real=$(r "$path")
  if [ ! -f "$real" ] || ! cmp -s "$src" "$real"; then
    mkdir -p "$(dirname "$real")"
    tmp=$(mktemp "$real.XXXXXX")
    cat "$src" >"$tmp"
    chown "$(ids_of "$3" "$4")" "$tmp"
    chmod "$5" "$tmp"
    mv -f "$tmp" "$real"
    changed "$path: written"
  else
    ensure_owner_mode "$path" "$3" "$4" "$5"
  fi
}

# Like put_file, but a file that exists is the staff's: its content is never touched.
put_file_once() {  # SRC PATH USER GROUP MODE
  if [ -e "$(r "$2")" ]; then
    ensure_owner_mode "$2" "$3" "$4" "$5"
  else
    put_file "$@"
  fi
}

# PATH -> TARGET as systemctl enable/mask/set-default make them (TARGET as seen on the kiosk).
ensure_symlink() {  # PATH TARGET
  local real
  real=$(r "$1")
  if [ -L "$real" ] && [ "$(readlink "$real")" = "$2" ]; then
    return 0
  fi
  [ ! -e "$real" ] || [ -L "$real" ] || die "$1 exists and is not a link; move it away first"
  mkdir -p "$(dirname "$real")"
  ln -sfn "$2" "$real"
  changed "$1 -> $2"
}

# --- releases --------------------------------------------------------------------------------

# The version in a wheel's file name (name-version[-build]-python-abi-platform.whl).
wheel_version() {
  local base name version
  base=$(basename "$1")
  case $base in *.whl) ;; *) die "$1: not a wheel (*.whl)" ;; esac
  name=${base%%-*}
  [ "$name" = smart_kampung ] || die "$base: not a Smart Kampung wheel (smart_kampung-VERSION-…whl)"
  version=${base#*-}
  version=${version%%-*}
  printf '%s' "$version" | grep -Eq '^[A-Za-z0-9.+!_]+$' || die "$base: cannot read its version"
  printf '%s' "$version"
}

release_dir() { printf '%s/%s' "$RELEASES" "$1"; }

# The version `current` points at, or nothing.
current_version() {
  local link
  link=$(r "$CURRENT")
  [ -L "$link" ] || return 0
  basename "$(readlink "$link")"
}

release_complete() { [ -f "$(r "$(release_dir "$1")")/$MARKER" ]; }

release_field() {  # VERSION KEY
  sed -n "s/^$2=//p" "$(r "$(release_dir "$1")")/$MARKER" 2>/dev/null | head -n 1
}

# Point `current` at VERSION in one rename (a relative link: it reads the same under --root).
set_current() {
  local link
  link=$(r "$CURRENT")
  ln -sfn "releases/$1" "$link.new"
  mv -Tf "$link.new" "$link"
  changed "$CURRENT -> releases/$1"
}

# Build the release of WHEEL unless a complete one from the same wheel is there; sets
# RELEASE_VERSION.
install_release() {
  local wheel=$1 version sha dir py voice current seed
  version=$(wheel_version "$wheel")
  sha=$(sha256sum "$wheel" | cut -d' ' -f1)
  dir=$(r "$(release_dir "$version")")
  RELEASE_VERSION=$version
  if release_complete "$version"; then
    if [ "$(release_field "$version" wheel_sha256)" = "$sha" ]; then
      say "  release $version: already installed from this wheel"
      return 0
    fi
    [ "$(current_version)" != "$version" ] || die "release $version runs now and was built \
from another wheel of the same version; the new wheel needs a new version number"
    say "  release $version: built from another wheel; building it again"
  fi
  # A truncated download or a renamed file is refused before anything is built.
  if ! "$PYTHON" -I - "$wheel" "$version" <<'EOF'; then
import sys
import zipfile

path, version = sys.argv[1:3]
try:
    with zipfile.ZipFile(path) as wheel:
        damaged = wheel.testzip()
        metadata = wheel.read(f"smart_kampung-{version}.dist-info/METADATA").decode()
except (OSError, KeyError, UnicodeDecodeError, zipfile.BadZipFile):
    sys.exit(1)
sys.exit(1 if damaged or f"\nVersion: {version}\n" not in metadata else 0)
EOF
    die "$(basename "$wheel"): not a complete wheel of smart-kampung $version (a broken download?)"
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  say "  release $version: creating the virtual environment and installing the wheel …"
  "$PYTHON" -m venv "$dir"
  py=$dir/bin/python
  # Debian 12's pip (23.0) takes ~4 times longer than a current one to resolve the app's
  # dependencies; a current pip pays for itself at once (and the old one still works).
  "$py" -m pip install --quiet --no-input --disable-pip-version-check --upgrade pip \
    || warn "release $version: pip could not update itself; going on with Debian's"
  "$py" -m pip install --quiet --no-input --disable-pip-version-check "$wheel" \
    || { rm -rf "$dir"; die "release $version: pip could not install $(basename "$wheel")"; }
  [ "$("$py" -I -c 'import importlib.metadata as m; print(m.version("smart-kampung"))')" \
    = "$version" ] || { rm -rf "$dir"; die "release $version: the wheel installs another version"; }
  # The voice prompts and the compiled translations go where the app looks for them, inside
  # the release (root-owned: the kiosk user cannot change them). The prompts of the release
  # running now are copied first: only changed ones are rendered again.
  voice=$("$py" -I -c 'from ui.voice import DEFAULT_DIR; print(DEFAULT_DIR)')
  case $voice in
    "$dir"/*) ;;
    *) rm -rf "$dir"; die "release $version: its app is not the one in $dir" ;;
  esac
  current=$(current_version)
  if [ -n "$current" ] && [ "$current" != "$version" ]; then
    seed=$(r "$(release_dir "$current")")${voice#"$dir"}
    if [ -d "$seed" ]; then
      mkdir -p "$voice"
      cp -a "$seed/." "$voice/"
    fi
  fi
  "$py" -I -m ui.voice "$voice" >/dev/null \
    || { rm -rf "$dir"; die "release $version: the voice prompts failed (is espeak-ng installed?)"; }
  "$py" -I -m ui.i18n compile >/dev/null \
    || { rm -rf "$dir"; die "release $version: compiling the translations failed"; }
  {
    printf 'version=%s\n' "$version"
    printf 'wheel=%s\n' "$(basename "$wheel")"
    printf 'wheel_sha256=%s\n' "$sha"
    printf 'installed_at=%s\n' "$(date -u +%s)"
  } >"$dir/$MARKER.part"
  mv -f "$dir/$MARKER.part" "$dir/$MARKER"
  changed "$(release_dir "$version"): installed from $(basename "$wheel")"
}

# Does VERSION accept the kiosk's configuration? Exit 1 and the reason when it does not; exit 3
# and what is left when it loads but a value the staff must fill in is still "".
check_config() {  # VERSION
  "$(r "$(release_dir "$1")")/bin/python" -I - "$(r "$CONFIG")" <<'EOF'
import sys
import tomllib

from terminal.config import ConfigError, KioskConfig

MUST = {"kiosk": ["id"], "backoffice": ["url", "token"], "card": ["village_key"],
        "village": ["code", "name", "district", "regency", "province", "address", "head_name"]}
try:
    with open(sys.argv[1], "rb") as f:
        raw = tomllib.load(f)
except (OSError, tomllib.TOMLDecodeError):
    raw = {}
empty = [f"[{s}] {k}" for s, keys in MUST.items() for k in keys
         if isinstance(raw.get(s), dict) and str(raw[s].get(k, "")).strip() == ""]
try:
    KioskConfig.load(sys.argv[1])
except ConfigError as e:
    said = str(e).removeprefix(f"{sys.argv[1]}: ")
    print(f"still to fill in: {', '.join(empty)}" if empty else said)
    sys.exit(1)
if empty:
    print(f"still to fill in: {', '.join(empty)}")
    sys.exit(3)
EOF
}

# Does VERSION's app load at all (its Qt libraries, its modules)? Without a screen.
check_imports() {  # VERSION
  QT_QPA_PLATFORM=offscreen "$(r "$(release_dir "$1")")/bin/python" -I -c 'import ui.app' 2>&1
}
