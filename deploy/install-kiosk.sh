#!/usr/bin/env bash
# Turns a bare Debian 12 mini-PC into a Smart Kampung kiosk (deploy/README.md says how to use it).
#
#   sudo deploy/install-kiosk.sh --wheel smart_kampung-1.2.0-py3-none-any.whl
#   sudo deploy/install-kiosk.sh --printer-queue struk --printer-uri usb://… --printer-model …
#
# Idempotent: it changes only what differs from what it would make, says each change, and a
# second run ends with "nothing to change". What the staff fill in (kiosk.toml, kiosk.env) and
# the kiosk's key are made once and never overwritten. A newer wheel on a running kiosk is
# upgrade-kiosk.sh's job (it can go back when the new version does not start).
#
# --root DIR writes everything under DIR instead of / (a scratch root, for tests and for looking
# at what would be written): no Debian packages, no systemctl; the kiosk user goes into
# DIR/etc/passwd (made with only root in it when missing); a printer queue only on the cupsd
# that CUPS_SERVER names.
set -euo pipefail
umask 022
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kiosk-common.sh
. "$HERE/kiosk-common.sh"

usage() {
  cat <<EOF
usage: $0 [--wheel FILE] [--root DIR] [--acs-driver]
          [--printer-queue NAME --printer-uri URI [--printer-model MODEL | --printer-ppd FILE]]

  --wheel FILE          the app's wheel from the district (needed on the first install)
  --root DIR            install into DIR instead of / (no apt, no systemctl; a printer
                        queue only on a cupsd named by CUPS_SERVER)
  --acs-driver          ACS's own reader driver (libacsccid1) instead of libccid
  --printer-queue NAME  make or check the CUPS queue NAME (run once per printer) ...
  --printer-uri URI     ... on this device (lpinfo -v lists them) ...
  --printer-model MODEL ... with this driver (lpinfo -m lists them; "everywhere" for IPP
                        Everywhere printers) or --printer-ppd FILE (a vendor's PPD)
EOF
}

WHEEL="" ACS_DRIVER=0 QUEUE="" QUEUE_URI="" QUEUE_MODEL="" QUEUE_PPD=""
while [ $# -gt 0 ]; do
  case $1 in
    --wheel) WHEEL=${2:?--wheel needs a file}; shift 2 ;;
    --root) set_root "${2:-}"; shift 2 ;;
    --acs-driver) ACS_DRIVER=1; shift ;;
    --printer-queue) QUEUE=${2:?}; shift 2 ;;
    --printer-uri) QUEUE_URI=${2:?}; shift 2 ;;
    --printer-model) QUEUE_MODEL=${2:?}; shift 2 ;;
    --printer-ppd) QUEUE_PPD=${2:?}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done
if [ -n "$QUEUE" ]; then
  [ -n "$QUEUE_URI" ] || die "--printer-queue needs --printer-uri"
  [ -n "$QUEUE_MODEL$QUEUE_PPD" ] || die "--printer-queue needs --printer-model or --printer-ppd"
  printf '%s' "$QUEUE" | grep -Eq '^[A-Za-z0-9_-]+$' || die "--printer-queue: letters, digits, _ and - only"
fi
if [ -n "$WHEEL" ]; then
  [ -f "$WHEEL" ] || die "$WHEEL: no such file"
  WHEEL=$(cd "$(dirname "$WHEEL")" && pwd)/$(basename "$WHEEL")
fi
need_root_user
if [ -n "$ROOT" ]; then
  say "Installing the Smart Kampung kiosk into the scratch root $ROOT"
else
  say "Installing the Smart Kampung kiosk on this machine"
fi
take_lock

# --- Debian packages -------------------------------------------------------------------------
say "Debian packages"
packages=(
  # the app's virtual environment; pyscard has no Linux wheel and compiles against pcsc-lite
  python3 python3-venv python3-dev gcc swig libpcsclite-dev
  # card readers: the PC/SC daemon and the CCID driver (the ACS ACR1252U is among its readers)
  pcscd
  # printing: CUPS, its filters (PDF to the printer's language) and IPP-over-USB printers
  cups cups-client cups-filters ipp-usb
  # the screen: cage (a Wayland kiosk compositor) with Xwayland; seatd gives it the screen
  # and the input devices (no logind session: the unit file says why); GPU drivers
  cage xwayland seatd dbus libgl1-mesa-dri
  # Qt's runtime libraries (Wayland, and xcb through Xwayland as the fallback)
  libegl1 libgl1 libopengl0 libwayland-client0 libwayland-cursor0 libwayland-egl1
  libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-randr0 libxcb-xkb1
  # the spoken prompts: rendered with espeak-ng at install, played with aplay
  espeak-ng alsa-utils
  # fonts and time zones (WIB/WITA/WIT)
  fonts-dejavu-core tzdata
)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
if [ -z "$ROOT" ] && [ "$ACS_DRIVER" -eq 0 ] && installed libacsccid1; then
  say "  libacsccid1 is installed: keeping ACS's reader driver"
  say "  (back to libccid: apt-get install libccid libacsccid1-)"
  ACS_DRIVER=1
fi
if [ "$ACS_DRIVER" -eq 1 ]; then
  packages+=(libacsccid1)   # ACS's driver; two drivers for one reader confuse pcscd
else
  packages+=(libccid)
fi
if [ -n "$ROOT" ]; then
  say "  --root: no packages are installed into a scratch root (${#packages[@]} on a kiosk)"
else
  missing=()
  for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
  done
  if [ "$ACS_DRIVER" -eq 1 ] && installed libccid; then
    missing+=(libccid-)   # apt: remove libccid in the same step
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    changed "packages: ${missing[*]}"
  fi
fi

# --- the kiosk user --------------------------------------------------------------------------
# video, render, input: the screen and the touch panel (logind also hands them to the session
# on tty1); audio: the spoken prompts; lpadmin: cupsd's SystemGroup on Debian, so the app may
# restart a queue CUPS stopped on a fault (devices/printer.py resume()) and cancel stuck jobs.
KIOSK_GROUPS=(video render input audio lpadmin)
say "The kiosk user"
root_args=()
[ -z "$ROOT" ] || root_args=(--root "$ROOT")
if [ -n "$ROOT" ] && [ ! -f "$(r /etc/passwd)" ]; then
  mkdir -p "$(r /etc)"
  printf 'root:x:0:0:root:/root:/bin/bash\n' >"$(r /etc/passwd)"
  printf 'root:x:0:\n' >"$(r /etc/group)"
  printf 'root:*:19000:0:99999:7:::\n' >"$(r /etc/shadow)"
  printf 'root:*::\n' >"$(r /etc/gshadow)"
  chmod 0640 "$(r /etc/shadow)" "$(r /etc/gshadow)"
  changed "/etc/passwd, group, shadow, gshadow: made with only root in them"
fi
for g in "${KIOSK_GROUPS[@]}"; do
  if [ -z "$(gid_of "$g")" ]; then
    groupadd "${root_args[@]}" --system "$g"
    changed "group $g: created"
  fi
done
if [ -z "$(uid_of "$KIOSK_USER")" ]; then
  # A system user nobody logs in as: systemd runs the kiosk unit as this user.
  useradd "${root_args[@]}" --system --user-group --create-home --home-dir "$KIOSK_HOME" \
    --shell /usr/sbin/nologin --comment "Smart Kampung kiosk" \
    --groups "$(IFS=,; printf '%s' "${KIOSK_GROUPS[*]}")" "$KIOSK_USER" 2> >(grep -v "missing or non-executable shell" >&2)
  changed "user $KIOSK_USER: created"
else
  for g in "${KIOSK_GROUPS[@]}"; do
    if ! printf ',%s,' "$(members_of "$g")" | grep -q ",$KIOSK_USER,"; then
      usermod "${root_args[@]}" --append --groups "$g" "$KIOSK_USER"
      changed "user $KIOSK_USER: added to group $g"
    fi
  done
fi
ensure_dir "$KIOSK_HOME" "$KIOSK_USER" "$KIOSK_USER" 0700

# --- folders, the key, the configuration -----------------------------------------------------
say "Folders, the kiosk's key and its configuration"
ensure_dir "$APP_DIR" root root 0755
ensure_dir "$RELEASES" root root 0755
ensure_dir "$TOOLS_DIR" root root 0755
ensure_dir "$CONF_DIR" root "$KIOSK_USER" 0750
ensure_dir "$DATA_DIR" "$KIOSK_USER" "$KIOSK_USER" 0700   # the outbox and the registry copy

# The key that seals personal data at rest (terminal/sealing.py): 32 random bytes, made once —
# a new key would make every queued application unreadable. The app runs as the kiosk user and
# refuses a key file anybody else may read, so it is the kiosk user's, mode 0600.
if [ ! -e "$(r "$KEY_FILE")" ]; then
  key_tmp=$(mktemp "$(r "$KEY_FILE").XXXXXX")
  head -c 32 /dev/urandom >"$key_tmp"
  chown "$(ids_of "$KIOSK_USER" "$KIOSK_USER")" "$key_tmp"
  chmod 0600 "$key_tmp"
  mv "$key_tmp" "$(r "$KEY_FILE")"
  changed "$KEY_FILE: a new key"
else
  [ "$(stat -c %s "$(r "$KEY_FILE")")" -eq 32 ] || die "$KEY_FILE is not 32 bytes; \
it is not the kiosk's key (move it away only if nothing is queued)"
  ensure_owner_mode "$KEY_FILE" "$KIOSK_USER" "$KIOSK_USER" 0600
fi
# The staff fill these in (deploy/README.md); made from the examples only when missing.
put_file_once "$HERE/kiosk/kiosk.toml.example" "$CONFIG" root "$KIOSK_USER" 0640
put_file_once "$HERE/kiosk/kiosk.env.example" "$CONF_DIR/kiosk.env" root root 0644

# --- the app ---------------------------------------------------------------------------------
say "The app"
current=$(current_version)
if [ -n "$WHEEL" ]; then
  version=$(wheel_version "$WHEEL")
  if [ -n "$current" ] && [ "$current" != "$version" ]; then
    say "  $version not installed: $current runs here; upgrade with"
    say "  $TOOLS_DIR/upgrade-kiosk.sh --wheel $(basename "$WHEEL")   (it goes back when $version does not start)"
  else
    install_release "$WHEEL"
    [ "$current" = "$version" ] || set_current "$version"
    current=$version
  fi
elif [ -z "$current" ]; then
  die "no app installed yet: give the district's wheel with --wheel FILE"
else
  say "  release $current runs (no --wheel given)"
fi
put_file "$HERE/upgrade-kiosk.sh" "$TOOLS_DIR/upgrade-kiosk.sh" root root 0755
put_file "$HERE/kiosk-common.sh" "$TOOLS_DIR/kiosk-common.sh" root root 0644
put_file "$HERE/README.md" "$APP_DIR/README.md" root root 0644   # the unit's Documentation=

# --- systemd, lock-down, logs ----------------------------------------------------------------
say "The kiosk service and the lock-down"
put_file "$HERE/systemd/$UNIT" "/etc/systemd/system/$UNIT" root root 0644
if [ -e "$(r /etc/pam.d/smart-kampung-kiosk)" ]; then  # an earlier install's login session
  rm -f "$(r /etc/pam.d/smart-kampung-kiosk)"
  changed "/etc/pam.d/smart-kampung-kiosk: removed (the kiosk uses seatd, not a login session)"
fi
put_file "$HERE/systemd/logind-kiosk.conf" /etc/systemd/logind.conf.d/smart-kampung.conf root root 0644
put_file "$HERE/systemd/journald-kiosk.conf" /etc/systemd/journald.conf.d/smart-kampung.conf root root 0644
put_file "$HERE/systemd/system-kiosk.conf" /etc/systemd/system.conf.d/smart-kampung.conf root root 0644
put_file "$HERE/kiosk/sysctl-kiosk.conf" /etc/sysctl.d/90-smart-kampung.conf root root 0644
# What `systemctl enable`, `mask` and `set-default` would do, made directly (the same with --root).
ensure_symlink "/etc/systemd/system/graphical.target.wants/$UNIT" "/etc/systemd/system/$UNIT"
ensure_symlink /etc/systemd/system/multi-user.target.wants/seatd.service \
  /lib/systemd/system/seatd.service   # (the package enables it too; a removed link comes back)
ensure_symlink /etc/systemd/system/default.target /lib/systemd/system/graphical.target
ensure_symlink /etc/systemd/system/ctrl-alt-del.target /dev/null   # Ctrl+Alt+Del on a console
ensure_symlink /etc/systemd/system/getty@tty1.service /dev/null    # tty1 is the kiosk's
if [ -z "$ROOT" ] && [ -e /etc/systemd/system/display-manager.service ]; then
  warn "a desktop's display manager ($(basename "$(readlink -f /etc/systemd/system/display-manager.service)")) \
is enabled and fights the kiosk for the screen: systemctl disable it"
fi

# --- printing --------------------------------------------------------------------------------
say "Printing (CUPS)"
cupsd_conf=$(r /etc/cups/cupsd.conf)
# Printed jobs are deleted at once (a copy of the application carries the villager's NIK; CUPS
# keeps documents a day by default), and a printer fault stops the queue and keeps the job
# (Debian's retry-job would drop it after a few tries); the kiosk restarts the queue itself.
set_cupsd() {  # DIRECTIVE VALUE
  if grep -Eq "^$1 $2\$" "$cupsd_conf"; then
    return 0
  elif grep -Eq "^$1( |\$)" "$cupsd_conf"; then
    sed -i -E "s/^$1( .*)?\$/$1 $2/" "$cupsd_conf"
  else
    printf '%s %s\n' "$1" "$2" >>"$cupsd_conf"
  fi
  changed "/etc/cups/cupsd.conf: $1 $2"
  CUPSD_CHANGED=1
}
CUPSD_CHANGED=0
if [ -f "$cupsd_conf" ]; then
  set_cupsd PreserveJobFiles No
  set_cupsd ErrorPolicy stop-printer
else
  say "  no /etc/cups/cupsd.conf here: CUPS settings left out"
fi
if [ -n "$QUEUE" ] && [ -n "$ROOT" ] && [ -z "${CUPS_SERVER:-}" ]; then
  say "  --root: queue $QUEUE not made (no cupsd in a scratch root; CUPS_SERVER may name one)"
elif [ -n "$QUEUE" ]; then
  [ -n "$ROOT" ] || [ "$CUPSD_CHANGED" -eq 0 ] || systemctl restart cups.service
  now_uri=$(lpstat -v "$QUEUE" 2>/dev/null | sed -n 's/^device for [^:]*: //p' || true)
  if [ "$now_uri" = "$QUEUE_URI" ]; then
    # lpstat does not show the error policy: set it again (no change when it is so already)
    lpadmin -p "$QUEUE" -o printer-error-policy=stop-printer
    say "  queue $QUEUE: already on $QUEUE_URI (another driver: lpadmin -x $QUEUE, then again)"
  else
    driver=(-m "$QUEUE_MODEL")
    [ -z "$QUEUE_PPD" ] || driver=(-P "$QUEUE_PPD")
    lpadmin -p "$QUEUE" -E -v "$QUEUE_URI" "${driver[@]}" -o printer-error-policy=stop-printer
    cupsenable "$QUEUE"
    cupsaccept "$QUEUE"
    changed "printer queue $QUEUE on $QUEUE_URI"
  fi
fi

# --- apply -----------------------------------------------------------------------------------
# Is this the running system, booted with systemd (sd_booted(3), the test Debian's
# deb-systemd-invoke makes), and not a chroot (an image being built for many kiosks)? Only then
# are the changes applied now: in a chroot, sysctl would set the build machine's kernel.
running_system() {
  [ -d /run/systemd/system ] && ! systemd-detect-virt --quiet --chroot
}
if [ -z "$ROOT" ] && [ "$CHANGES" -gt 0 ]; then
  if running_system; then
    systemctl daemon-reload
    sysctl --quiet --load=/etc/sysctl.d/90-smart-kampung.conf || warn "kernel.sysrq: set at the next boot"
    systemctl restart systemd-journald.service
    [ "$CUPSD_CHANGED" -eq 0 ] || [ -n "$QUEUE" ] || systemctl restart cups.service
  else
    say "  systemd does not run here (a chroot?): the settings take effect at the first boot"
  fi
  systemctl enable --quiet pcscd.socket cups.service   # links only: works in a chroot too
fi

say "The configuration"
if problem=$(check_config "$current"); then
  say "  $CONFIG is complete"
  next="reboot: the kiosk starts on the screen"
else
  say "  $CONFIG: $problem"
  next="fill in $CONFIG (deploy/README.md, \"Registering the kiosk\"), then reboot"
fi

if [ "$CHANGES" -eq 0 ]; then
  say "Nothing to change: this kiosk is already as install-kiosk.sh makes it."
else
  say "Done: $CHANGES change(s)."
fi
[ -n "$ROOT" ] || say "Next: $next."
