"""Demo residents of Desa Kemiren, bound to the cards in devices/demo_cards.py, and the demo
staff accounts of the staff pages.

Made-up people who look like real villagers; used by `python -m backoffice --demo` and the
tests. Seeding is idempotent: running it again updates rather than duplicates.
"""

from __future__ import annotations

from datetime import date

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from backoffice.db import Village, utcnow
from backoffice.registry import bind_card, set_pin, upsert_resident
from backoffice.security import make_hasher
from devices.demo_cards import DEMO_CARDS
from forms.identity import Resident, card_fingerprint

DEMO_VILLAGE_CODE = "35.10.15.2003"

DEMO_RESIDENTS: tuple[Resident, ...] = (
    Resident(
        nik="3510155208580003",
        name="Siti Aminah",
        birth_place="Banyuwangi",
        birth_date=date(1958, 8, 12),
        sex="P",
        address="Jl. Barong No. 17",
        dusun="Krajan",
        rt="001",
        rw="002",
        religion="Islam",
        marital_status="Kawin",
        occupation="Mengurus Rumah Tangga",
        citizenship="WNI",
        family_card_number="3510151203090011",
    ),
    Resident(
        nik="3510154303490001",
        name="Sukarmi",
        birth_place="Banyuwangi",
        birth_date=date(1949, 3, 3),
        sex="P",
        address="Kampung Kedaleman",
        dusun="Kedaleman",
        rt="002",
        rw="005",
        religion="Islam",
        marital_status="Cerai Mati",
        occupation="Petani/Pekebun",
        citizenship="WNI",
        family_card_number="3510150907050027",
    ),
    Resident(
        nik="3510151701850002",
        name="Ahmad Ma'ruf",
        birth_place="Banyuwangi",
        birth_date=date(1985, 1, 17),
        sex="L",
        address="Jl. Kopi Osing No. 4",
        dusun="Krajan",
        rt="004",
        rw="001",
        religion="Islam",
        marital_status="Kawin",
        occupation="Wiraswasta",
        citizenship="WNI",
        family_card_number="3510152204120003",
    ),
    Resident(
        nik="3510152106010004",
        name="Bagus Setiawan",
        birth_place="Banyuwangi",
        birth_date=date(2001, 6, 21),
        sex="L",
        address="Jl. Sanggar Genjah Arum",
        dusun="Kedaleman",
        rt="003",
        rw="012",
        religion="Islam",
        marital_status="Belum Kawin",
        occupation="Pelajar/Mahasiswa",
        citizenship="WNI",
        family_card_number="3510151508030019",
    ),
)


def seed_demo(
    session: Session, village_code: str = DEMO_VILLAGE_CODE, hasher: PasswordHasher | None = None
) -> int:
    """Register the demo residents in `village_code` with their demo cards and PINs.

    The village must already exist (its card_key makes the fingerprints). Returns how many
    residents were seeded. Does not commit.
    """
    village = session.get(Village, village_code)
    if village is None:
        raise KeyError(f"village {village_code!r} is not configured")
    hasher = hasher or make_hasher()
    by_nik = {r.nik: r for r in DEMO_RESIDENTS}
    count = 0
    for card in DEMO_CARDS:
        if card.nik is None or card.pin is None:
            continue
        resident = upsert_resident(session, village_code, by_nik[card.nik])
        bind_card(session, resident, card_fingerprint(card.uid, village.card_key_bytes))
        set_pin(session, resident, card.pin, hasher)
        count += 1
    return count


# The staff pages' demo accounts (/staff/), one per role; the password is public, like every
# demo secret: never on a real back office.
DEMO_STAFF_PASSWORD = "kemiren-demo"
DEMO_STAFF: tuple[tuple[str, str, str], ...] = (
    # username, display name, role
    ("operator", "Rina Wulandari", "operator"),
    ("sekdes", "Slamet Riyadi", "sekdes"),
    ("kades", "Mohamad Arifin", "kades"),
    ("admin", "Dewi Lestari", "admin"),
)


def seed_demo_staff(
    session: Session, village_code: str = DEMO_VILLAGE_CODE, hasher: PasswordHasher | None = None
) -> list[tuple[str, str]]:
    """The demo staff accounts in `village_code` with `DEMO_STAFF_PASSWORD` (an existing
    account gets the demo password back, unlocked). Returns (username, role). Does not
    commit."""
    from backoffice.web.accounts import add_staff, find_user, reset_password

    hasher = hasher or make_hasher()
    now = utcnow()
    for username, name, role in DEMO_STAFF:
        if find_user(session, username) is None:
            add_staff(session, village_code, username, name, role, DEMO_STAFF_PASSWORD, hasher,
                      now)
        else:
            reset_password(session, username, DEMO_STAFF_PASSWORD, hasher, now)
    return [(username, role) for username, _, role in DEMO_STAFF]
