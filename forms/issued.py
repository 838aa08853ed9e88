"""A final letter as the back office issues it: the application, its number, date and signer.

`render_letter` (forms/render.py) prints it. No ReportLab here, so the back office can build
and store these without loading the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from forms.application import Application
from forms.village import VillageProfile

ON_BEHALF = (None, "a.n.", "u.b.")


@dataclass(frozen=True)
class Signer:
    """Who signs, and for whom (tata naskah dinas):

    - the village head: ``Signer("H. Suhaimi", "Kepala Desa Kemiren")``
    - *atas nama* (a.n.): ``Signer("Rina", "Sekretaris Desa", "a.n.", "Kepala Desa Kemiren")``
      prints ``a.n. Kepala Desa Kemiren`` / ``Sekretaris Desa,``
    - *untuk beliau* (u.b.), one level further down:
      ``Signer("Budi", "Kepala Urusan Umum", "u.b.", "Kepala Desa Kemiren", "Sekretaris Desa")``
      prints ``a.n. Kepala Desa Kemiren`` / ``Sekretaris Desa`` / ``u.b.`` /
      ``Kepala Urusan Umum,``
    """

    name: str
    title: str  # the signer's own position
    on_behalf: str | None = None  # None, "a.n." or "u.b."
    principal_title: str = ""  # whose authority: "Kepala Desa Kemiren" (a.n. and u.b.)
    via_title: str = ""  # u.b. only: the official between, e.g. "Sekretaris Desa"
    staff_id: str = ""  # NIP / NIPD, printed under the name when given

    def __post_init__(self) -> None:
        if self.on_behalf not in ON_BEHALF:
            raise ValueError(f"on_behalf must be None, 'a.n.' or 'u.b.', not {self.on_behalf!r}")
        if not self.name.strip() or not self.title.strip():
            raise ValueError("a signer needs a name and a title")
        if self.on_behalf and not self.principal_title.strip():
            raise ValueError(f"{self.on_behalf} needs the principal's title (principal_title)")
        if self.on_behalf == "u.b." and not self.via_title.strip():
            raise ValueError("u.b. needs the title of the official in between (via_title)")

    def title_lines(self) -> list[str]:
        """The lines above the signature space, as printed."""
        if self.on_behalf is None:
            return [f"{self.title.strip()},"]
        lines = [f"a.n. {self.principal_title.strip()}"]
        if self.on_behalf == "u.b.":
            lines += [self.via_title.strip(), "u.b."]
        return [*lines, f"{self.title.strip()},"]


def village_head(village: VillageProfile) -> Signer:
    """The village head signing in their own name."""
    return Signer(village.head_name, f"{village.head_title} {village.name}".strip())


@dataclass(frozen=True)
class IssuedLetter:
    application: Application
    number: str  # assigned by the back office (forms.numbering.format_letter_number)
    issued: date
    signer: Signer
    verification_url: str  # forms.verification.verification_url(base, sign_letter(...))
