"""An application's statuses, in the words clerks know from OpenSID: the vocabulary the back
office keeps and the kiosk shows (backoffice.lifecycle holds the rules between them)."""

from __future__ import annotations

SEDANG_DIPERIKSA = "sedang_diperiksa"  # every new application starts here
MENUNGGU_TANDA_TANGAN = "menunggu_tanda_tangan"
SIAP_DIAMBIL = "siap_diambil"  # the letter is issued and waits at the village office
SUDAH_DIAMBIL = "sudah_diambil"
DIKEMBALIKAN = "dikembalikan"  # sent back to the villager, with the clerk's message
DIBATALKAN = "dibatalkan"

STATUS_LABELS: dict[str, dict[str, str]] = {
    SEDANG_DIPERIKSA: {"id": "Sedang diperiksa", "en": "Being checked"},
    MENUNGGU_TANDA_TANGAN: {"id": "Menunggu tanda tangan", "en": "Waiting for signature"},
    SIAP_DIAMBIL: {"id": "Siap diambil", "en": "Ready for collection"},
    SUDAH_DIAMBIL: {"id": "Sudah diambil", "en": "Collected"},
    DIKEMBALIKAN: {"id": "Dikembalikan", "en": "Sent back"},
    DIBATALKAN: {"id": "Dibatalkan", "en": "Cancelled"},
}


def status_label(status: str) -> dict[str, str]:
    return dict(STATUS_LABELS.get(status, {"id": status, "en": status}))
