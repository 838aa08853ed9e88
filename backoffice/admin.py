"""Staff command line, thin over the service functions (the staff web pages: /staff/).

    python -m backoffice.admin --config deploy/demo/backoffice.toml COMMAND …

    import-csv FILE --village CODE        residents from a village-system CSV export
    bind-card --nik N (--uid HEX | --reader NAME-PART)   bind an e-KTP (desk reader or typed)
    unbind-card --nik N
    set-pin --nik N                        reads the 6-digit PIN from stdin
    unlock --nik N
    add-kiosk --id ID --village CODE       prints the new token once
    rotate-kiosk-token --id ID             prints the new token once; the old one stops at once
    revoke-kiosk --id ID
    transition --application NO --to STATUS --staff NAME [--role R] [--message TEXT]
    issue --application NO --staff NAME --signer-name N --signer-title T [--date YYYY-MM-DD]
          [--on-behalf a.n.|u.b. --principal-title T [--via-title T]] [--out FILE.pdf]
    add-staff --village CODE --username U --name "DISPLAY NAME" --role operator|sekdes|kades|admin
                                           a staff pages account; the password is read from stdin
    reset-staff-password --username U      reads the new password from stdin; clears a lockout
                                           and signs the account out everywhere

--village defaults to the only village in the settings. Exit status 0 on success, 1 when the
action is refused (the reason printed in Indonesian and English), 2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from backoffice.db import apply_settings, make_engine, make_sessionmaker, migrate, utcnow
from backoffice.imports import import_residents
from backoffice.issuing import issue_letter_committed, verification_base_url
from backoffice.kiosks import add_kiosk, revoke_kiosk, rotate_kiosk_token
from backoffice.lifecycle import LifecycleError, Staff, transition
from backoffice.registry import (
    StaffActionError,
    bind_card_uid,
    resident_by_nik,
    set_pin_by_nik,
    unbind_card,
    unlock_pin,
)
from backoffice.security import make_hasher
from backoffice.settings import Settings
from backoffice.web.accounts import add_staff, reset_password
from backoffice.web.permissions import ROLES
from forms.issued import Signer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m backoffice.admin", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, help="the back office's TOML settings")
    sub = p.add_subparsers(dest="command", required=True)

    def cmd(name: str, village: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name)
        if village:
            c.add_argument("--village", help="village code (default: the only one configured)")
        return c

    c = cmd("import-csv")
    c.add_argument("file", type=Path)
    for name in ("bind-card", "unbind-card", "set-pin", "unlock"):
        c = cmd(name)
        c.add_argument("--nik", required=True)
        if name == "bind-card":
            src = c.add_mutually_exclusive_group(required=True)
            src.add_argument("--uid", help="card UID in hex, as shown by the reader tool")
            src.add_argument("--reader", help="read the card on the PC/SC reader with this name")
    c = cmd("add-kiosk", village=False)
    c.add_argument("--id", required=True)
    c.add_argument("--village", required=True)
    for name in ("rotate-kiosk-token", "revoke-kiosk"):
        cmd(name, village=False).add_argument("--id", required=True)
    c = cmd("transition", village=False)
    c.add_argument("--application", required=True)
    c.add_argument("--to", required=True)
    c.add_argument("--staff", required=True)
    c.add_argument("--role", default="operator")
    c.add_argument("--message", default="")
    c = cmd("issue", village=False)
    c.add_argument("--application", required=True)
    c.add_argument("--staff", required=True)
    c.add_argument("--role", default="operator")
    c.add_argument("--signer-name", required=True)
    c.add_argument("--signer-title", required=True)
    c.add_argument("--on-behalf", choices=["a.n.", "u.b."])
    c.add_argument("--principal-title", default="")
    c.add_argument("--via-title", default="")
    c.add_argument("--date", type=date.fromisoformat, default=None)
    c.add_argument("--out", type=Path, help="also write the letter PDF here")
    c = cmd("add-staff")
    c.add_argument("--username", required=True)
    c.add_argument("--name", required=True, help="the name the pages and the history show")
    c.add_argument("--role", required=True, choices=ROLES)
    cmd("reset-staff-password", village=False).add_argument("--username", required=True)
    return p


def _village(settings: Settings, given: str | None) -> str:
    if given:
        return given
    if len(settings.villages) != 1:
        raise SystemExit("--village is needed: the settings name several villages")
    return settings.villages[0].code


def _uid(args) -> bytes:
    if args.uid is not None:
        text = args.uid.replace(":", "").replace(" ", "")
        try:
            uid = bytes.fromhex(text)
        except ValueError:
            raise SystemExit("--uid must be hexadecimal, e.g. 04A1B2C3") from None
        if not uid:
            raise SystemExit("--uid is empty")
        return uid
    # The desk reader's rules, as on the registry page: one e-KTP, nothing else, is bound.
    from backoffice.desk_reader import DeskReader, DeskReadError, pcsc_reader, read_desk_card
    from backoffice.web.texts import TEXTS

    desk = pcsc_reader()
    names = [n for n in desk.names() if args.reader.lower() in n.lower()]
    if not names:
        raise SystemExit(f"no card reader matches {args.reader!r}; found {desk.names()}")
    try:  # several readers match: exactly one e-KTP must lie on them
        return read_desk_card(DeskReader(lambda: names, desk.read))
    except DeskReadError as e:
        raise StaffActionError(e.code, *TEXTS[e.text_code]) from None


def run(argv: list[str] | None = None, stdin=None, stdout=None) -> int:
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    args = _parser().parse_args(argv)
    settings = Settings.load(args.config)
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as s, s.begin():
        apply_settings(s, settings)

    def say(text: str) -> None:
        print(text, file=out)

    try:
        if args.command == "issue":
            signer = Signer(args.signer_name, args.signer_title, args.on_behalf,
                            args.principal_title, args.via_title)
            row = issue_letter_committed(
                sessions, args.application, signer, Staff(args.staff, args.role),
                args.date or date.today(), base_url=verification_base_url(settings),
            )
            if args.out:
                args.out.write_bytes(row.pdf)
            say(json.dumps({"number": row.number, "verification_url": row.verification_url}))
            return 0
        with sessions() as s, s.begin():
            c = args.command
            if c == "import-csv":
                result = import_residents(s, _village(settings, args.village),
                                          args.file.read_bytes())
                say(json.dumps(result.summary()))
                for p in result.errors:
                    say(f"baris/row {p.row} [{p.field}]: {p.id} / {p.en}")
                for p in result.warnings:
                    say(f"peringatan/warning row {p.row} [{p.field}]: {p.id} / {p.en}")
            elif c == "bind-card":
                bind_card_uid(s, _village(settings, args.village), args.nik, _uid(args))
                say("kartu terikat / card bound")
            elif c == "unbind-card":
                gone = unbind_card(s, _village(settings, args.village), args.nik)
                say("kartu dilepas / card unbound" if gone else "tidak ada kartu / no card bound")
            elif c == "set-pin":
                pin = stdin.readline().strip()
                set_pin_by_nik(s, _village(settings, args.village), args.nik, pin,
                               make_hasher(settings))
                say("PIN disimpan / PIN set")
            elif c == "unlock":
                village = _village(settings, args.village)
                resident_by_nik(s, village, args.nik)
                if not unlock_pin(s, village, args.nik):
                    say("penduduk belum punya PIN / resident has no PIN")
                    return 1
                say("PIN dibuka / PIN unlocked")
            elif c == "add-kiosk":
                say(add_kiosk(s, args.id, args.village))
            elif c == "rotate-kiosk-token":
                say(rotate_kiosk_token(s, args.id))
            elif c == "revoke-kiosk":
                revoke_kiosk(s, args.id)
                say("kios dicabut / kiosk revoked")
            elif c == "add-staff":
                password = stdin.readline().rstrip("\r\n")
                user = add_staff(s, _village(settings, args.village), args.username, args.name,
                                 args.role, password, make_hasher(settings), utcnow())
                say(f"akun staf dibuat / staff account created: {user.username} ({user.role})")
            elif c == "reset-staff-password":
                password = stdin.readline().rstrip("\r\n")
                user = reset_password(s, args.username, password, make_hasher(settings),
                                      utcnow())
                say(f"kata sandi diganti / password reset: {user.username}")
            elif c == "transition":
                ev = transition(s, args.application, args.to, Staff(args.staff, args.role),
                                args.message)
                say(json.dumps({"from": ev.from_status, "to": ev.to_status}))
    except (StaffActionError, LifecycleError) as e:
        print(f"{e.id}\n{e.en}", file=sys.stderr)
        return 1
    return 0


def main() -> None:
    raise SystemExit(run())


if __name__ == "__main__":
    main()
