#!/usr/bin/env bash
# Upgrades the kiosk's app to a wheel the district publishes, and goes back to the version that
# ran before when the new one does not start (deploy/README.md, "Upgrades and rollback").
#
#   sudo /opt/smart-kampung/bin/upgrade-kiosk.sh --wheel https://…/smart_kampung-1.3.0-py3-none-any.whl
#   sudo /opt/smart-kampung/bin/upgrade-kiosk.sh --wheel ./smart_kampung-1.3.0-py3-none-any.whl
#
# 1. The new version is built beside the running one (releases/<version>, see kiosk-common.sh);
#    nothing changes for the villagers while it builds.
# 2. It must load and accept /etc/smart-kampung/kiosk.toml, or nothing is switched.
# 3. `current` moves to it and the kiosk's service restarts. The app says READY=1 once its start
#    screen shows (the unit is Type=notify), so "active" means a villager sees the kiosk; it
#    must then stay up, pinging the watchdog, for --settle seconds without a restart.
# 4. If not, `current` moves back and the old version restarts; the new one stays installed
#    (marked failed) for a look at `journalctl -u smart-kampung-kiosk`.
# 5. After a success, releases beyond the last --keep are removed.
#
# Exit status: 0 upgraded (or already running that version), 1 refused or rolled back (the
# old version runs), 2 the old version did not start again either.
#
# --root DIR works on a scratch root (tests). systemd does not run there, so the systemctl
# first on PATH must be a stand-in; the real one is refused.
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kiosk-common.sh
. "$HERE/kiosk-common.sh"

usage() {
  cat <<EOF
usage: $0 --wheel URL_OR_FILE [--sha256 HEX] [--ca-file PEM] [--keep N] [--timeout S]
          [--settle S] [--root DIR]

  --wheel       the district's wheel: an https:// address or a file
  --sha256      the checksum the district published beside it (checked before anything else)
  --ca-file     the CA certificate for the district's https:// server (default: the system's)
  --keep N      releases kept after a successful upgrade, the running one included (default 3,
                at least 2: the running one and the one to go back to)
  --timeout S   how long the new version may take to show its start screen (default 120)
  --settle S    how long it must then keep running, without a restart (default 40: longer than
                the unit's WatchdogSec, so a frozen screen is caught)
EOF
}

WHEEL_ARG="" SHA="" CA_FILE="" KEEP=3 TIMEOUT=120 SETTLE=40 POLL=${SMART_KAMPUNG_POLL_S:-1}
while [ $# -gt 0 ]; do
  case $1 in
    --wheel) WHEEL_ARG=${2:?--wheel needs an address or a file}; shift 2 ;;
    --sha256) SHA=${2:?}; shift 2 ;;
    --ca-file) CA_FILE=${2:?}; shift 2 ;;
    --keep) KEEP=${2:?}; shift 2 ;;
    --timeout) TIMEOUT=${2:?}; shift 2 ;;
    --settle) SETTLE=${2:?}; shift 2 ;;
    --root) set_root "${2:-}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
[ -n "$WHEEL_ARG" ] || { usage >&2; die "--wheel is needed"; }
for n in "$KEEP" "$TIMEOUT" "$SETTLE"; do
  printf '%s' "$n" | grep -Eq '^[0-9]+$' || die "--keep, --timeout and --settle take whole numbers"
done
[ "$KEEP" -ge 2 ] || die "--keep: at least 2 (the running release and the one to go back to)"
need_root_user
if [ -n "$ROOT" ]; then
  case $(readlink -f "$(command -v systemctl || printf /usr/bin/systemctl)") in
    /usr/bin/systemctl | /bin/systemctl)
      die "--root: no service runs in a scratch root; put a stand-in systemctl first on PATH" ;;
  esac
fi
take_lock

journal() { [ -n "$ROOT" ] || logger -t smart-kampung-upgrade -- "$*" || true; }

# --- the wheel -------------------------------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case $WHEEL_ARG in
  https://* | http://*)
    name=$(basename "${WHEEL_ARG%%[?#]*}")
    wheel_version "$name" >/dev/null
    say "Downloading $name"
    "$PYTHON" - "$WHEEL_ARG" "$work/$name" "$CA_FILE" <<'EOF' || die "the download failed"
import shutil
import ssl
import sys
import urllib.request

url, out, ca = sys.argv[1:4]
context = ssl.create_default_context(cafile=ca or None)
with urllib.request.urlopen(url, timeout=60, context=context) as r, open(out, "wb") as f:
    shutil.copyfileobj(r, f)
EOF
    wheel=$work/$name
    ;;
  *)
    [ -f "$WHEEL_ARG" ] || die "$WHEEL_ARG: no such file"
    wheel=$(cd "$(dirname "$WHEEL_ARG")" && pwd)/$(basename "$WHEEL_ARG")
    ;;
esac
if [ -n "$SHA" ]; then
  [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "${SHA,,}" ] \
    || die "$(basename "$wheel"): the checksum is not the one given; nothing was changed"
fi

previous=$(current_version)
[ -n "$previous" ] || die "no release runs here yet: install the kiosk with install-kiosk.sh"
release_complete "$previous" || die "the running release $previous is incomplete; \
run install-kiosk.sh again"

# --- build and check the new release beside the running one -----------------------------------
say "Building the new release beside $previous"
install_release "$wheel"
new=$RELEASE_VERSION
if [ "$new" = "$previous" ]; then
  say "$new already runs here: nothing to do."
  exit 0
fi
if ! problem=$(check_imports "$new"); then
  journal "refused $new: it does not load"
  say "$problem" | tail -n 5
  die "release $new does not load; nothing was switched ($previous runs)"
fi
status=0
problem=$(check_config "$new") || status=$?
if [ "$status" -eq 1 ]; then
  journal "refused $new: it refuses kiosk.toml"
  die "release $new refuses $CONFIG: $problem
Nothing was switched ($previous runs). Fix the file for $new, then run this again."
fi

# --- switch, restart, watch --------------------------------------------------------------------
now_ms() { date +%s%3N; }

read_unit() {
  U_ACTIVE="" U_SUB="" U_INVOCATION=""
  local key value
  while IFS='=' read -r key value; do
    case $key in
      ActiveState) U_ACTIVE=$value ;;
      SubState) U_SUB=$value ;;
      InvocationID) U_INVOCATION=$value ;;
    esac
  done < <(systemctl show --property=ActiveState,SubState,InvocationID "$UNIT")
}

# Restart the unit and wait until this start of it is active (the app said READY=1) and stays
# so for SETTLE seconds. Another invocation appearing means it stopped and systemd restarted it.
start_and_wait() {  # VERSION
  local before ours="" since="" start now
  read_unit
  before=$U_INVOCATION
  say "Starting $1"
  systemctl restart --no-block "$UNIT"
  start=$(now_ms)
  while :; do
    read_unit
    now=$(now_ms)
    if [ "$U_ACTIVE" = failed ]; then
      say "  $1: the service failed ($U_SUB)"
      return 1
    fi
    if [ -n "$U_INVOCATION" ] && [ "$U_INVOCATION" != "$before" ]; then
      if [ -z "$ours" ]; then
        ours=$U_INVOCATION
      elif [ "$U_INVOCATION" != "$ours" ]; then
        say "  $1: stopped and was restarted (it crashed, or its screen froze: no watchdog ping)"
        return 1
      fi
    fi
    if [ -n "$ours" ] && [ "$U_INVOCATION" = "$ours" ] && [ "$U_ACTIVE" = active ] \
      && [ "$U_SUB" = running ]; then
      if [ -z "$since" ]; then
        since=$now
        say "  $1: start screen up after $(((now - start) / 1000)) s; watching it for ${SETTLE} s"
      fi
      [ $((now - since)) -lt $((SETTLE * 1000)) ] || return 0
    elif [ -n "$since" ]; then
      say "  $1: no longer running ($U_ACTIVE/$U_SUB)"
      return 1
    fi
    if [ -z "$since" ] && [ $((now - start)) -ge $((TIMEOUT * 1000)) ]; then
      say "  $1: no start screen within ${TIMEOUT} s ($U_ACTIVE/$U_SUB)"
      return 1
    fi
    sleep "$POLL"
  done
}

mark() {  # VERSION STATE
  printf 'state=%s\nat=%s\n' "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    >"$(r "$(release_dir "$1")")/$STATE"
}

# Keep the running release, the one before it, and the newest others up to KEEP in all.
prune() {
  local dir v budget
  local -a others=()
  for dir in "$(r "$RELEASES")"/*/; do
    [ -d "$dir" ] || continue
    v=$(basename "$dir")
    if [ "$v" = "$new" ] || [ "$v" = "$previous" ]; then
      continue
    elif ! release_complete "$v"; then
      rm -rf "$dir"
      changed "$(release_dir "$v"): removed (an unfinished build)"
    else
      others+=("$(release_field "$v" installed_at) $v")
    fi
  done
  budget=$((KEEP - 2))
  [ ${#others[@]} -gt 0 ] || return 0
  while read -r _ v; do
    if [ "$budget" -gt 0 ]; then
      budget=$((budget - 1))
    else
      rm -rf "$(r "$(release_dir "$v")")"
      changed "$(release_dir "$v"): removed (keeping the last $KEEP)"
    fi
  done < <(printf '%s\n' "${others[@]}" | sort -rn)
}

journal "upgrading $previous -> $new"
set_current "$new"
if start_and_wait "$new"; then
  mark "$new" ok
  prune
  journal "upgraded $previous -> $new"
  say "Upgraded: $previous -> $new."
  exit 0
fi

mark "$new" failed-to-start
journal "$new did not start; going back to $previous"
say "Release $new did not start: going back to $previous"
set_current "$previous"
if start_and_wait "$previous"; then
  journal "back on $previous after $new failed to start"
  say "Back on $previous. $new stays in $(release_dir "$new") (marked failed); see why with"
  say "  journalctl -u $UNIT --since -15min"
  exit 1
fi
journal "$previous did not start again either"
say "$previous did not start again either: the fault is not in the new release."
say "  journalctl -u $UNIT --since -15min; deploy/README.md, \"Troubleshooting\""
exit 2
