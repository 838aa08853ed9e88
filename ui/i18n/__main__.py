"""`python -m ui.i18n update | check | compile` — keep the English .ts in line with the texts.

update   add new codes (unfinished), mark changed ones unfinished, keep vanished ones aside
check    exit 1 and say what is untranslated (the test suite runs the same check)
compile  write the .qm now (the kiosk also does it at start when the .qm is stale)
"""

from __future__ import annotations

import sys

from ui.i18n import TS_FILE, compile_ts, problems, read_ts, updated_entries, write_ts


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        old = read_ts() if TS_FILE.exists() else {}
        entries = updated_entries(old)
        write_ts(entries)
        todo = sum(1 for e in entries if not e.finished and not e.vanished)
        print(f"{TS_FILE.name}: {len(entries)} messages, {todo} to translate "
              f"(open it with pyside6-linguist)")
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"{TS_FILE.name}: " + (f"{len(found)} problem(s)" if found else "complete"))
        return 1 if found else 0
    if command == "compile":
        print(compile_ts())
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
