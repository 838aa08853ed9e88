"""Letter numbers (*nomor surat*) in a village's configurable format.

The format is a text with placeholders in braces:

==================  =======================================================  ============
placeholder         meaning                                                  example
==================  =======================================================  ============
``{code}``          the letter type's code (OpenSID *kode surat*)            ``S-41``
``{number}``        the number in this letter type's sequence this year      ``7``
``{number:03}``     the same, zero-padded to 3 (any width 1–9: ``:04`` …)     ``007``
``{village_code}``  the Kemendagri village code                              ``35.10.15.2003``
``{month_roman}``   month of issue in Roman numerals                          ``XI``
``{month}``         month of issue, two digits                                ``11``
``{year}``          year of issue                                             ``2026``
==================  =======================================================  ============

`DEFAULT_FORMAT` gives ``S-41/007/35.10.15.2003/XI/2026``. Anything else in braces is refused
with `NumberFormatError` when the format is checked (`check_number_format`), so a typo in a
village's settings is caught when they are saved, not on the first letter. ``{{`` and ``}}``
print literal braces.

Assigning the numbers (one sequence per letter type per year) is the back office's job; this
module only formats them.
"""

from __future__ import annotations

import re
import string
from datetime import date

DEFAULT_FORMAT = "{code}/{number:03}/{village_code}/{month_roman}/{year}"

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

PLACEHOLDERS = ("code", "number", "village_code", "month_roman", "month", "year")
_PADDING = re.compile(r"^0[1-9]$")


class NumberFormatError(ValueError):
    """A letter-number format that cannot be used; the message says which part and why."""


def roman_month(month: int) -> str:
    """1 → ``I`` … 12 → ``XII``."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1–12, not {month!r}")
    return ROMAN_MONTHS[month - 1]


def check_number_format(fmt: str) -> None:
    """Raise `NumberFormatError` unless `fmt` is a usable letter-number format."""
    if not isinstance(fmt, str) or not fmt.strip():
        raise NumberFormatError("the letter number format is empty")
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as e:
        raise NumberFormatError(
            f"letter number format {fmt!r}: {e}; write {{{{ and }}}} for literal braces"
        ) from None
    seen = set()
    for _, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise NumberFormatError(
                f"letter number format {fmt!r}: unknown placeholder {{{name}}}; use {known}"
            )
        if conv:
            raise NumberFormatError(f"letter number format {fmt!r}: {{{name}!{conv}}} not allowed")
        if spec and (name != "number" or not _PADDING.match(spec)):
            raise NumberFormatError(
                f"letter number format {fmt!r}: {{{name}:{spec}}} not allowed; only {{number}} "
                "takes a padding, written {number:03}"
            )
        seen.add(name)
    if "number" not in seen:
        raise NumberFormatError(f"letter number format {fmt!r} has no {{number}}")


def format_letter_number(
    fmt: str = DEFAULT_FORMAT, *, code: str, number: int, village_code: str, issued: date
) -> str:
    """``format_letter_number(DEFAULT_FORMAT, code="S-41", number=7,
    village_code="35.10.15.2003", issued=date(2026, 11, 25))`` → ``S-41/007/35.10.15.2003/XI/2026``.
    """
    check_number_format(fmt)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"letter number must be a whole number ≥ 1, not {number!r}")
    return fmt.format(
        code=code.strip(),
        number=number,
        village_code=village_code.strip(),
        month_roman=roman_month(issued.month),
        month=f"{issued.month:02d}",
        year=f"{issued.year:04d}",
    )
