"""A sample resident and village, for tests, benchmarks and the letter tour (never production).

The back office's demo registry (backoffice/demo.py) is the running demo's data; these are the
fixed values that unit tests and benchmarks render and compare against.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from forms.application import Application
from forms.identity import Resident
from forms.village import VillageProfile

WIB = timezone(timedelta(hours=7))

SITI = Resident(
    nik="3510155208580003",  # a woman: birth day 12 + 40
    name="Siti Aminah",
    birth_place="Banyuwangi",
    birth_date=date(1958, 8, 12),
    sex="P",
    address="Jl. Barong No. 12",
    dusun="Krajan",
    rt="003",
    rw="012",
    religion="Islam",
    marital_status="Cerai Mati",
    occupation="Mengurus Rumah Tangga",
    citizenship="WNI",
    family_card_number="3510151204080021",
)

KEMIREN = VillageProfile(
    code="35.10.15.2003",
    name="Kemiren",
    kind="Desa",
    district="Glagah",
    regency="Kabupaten Banyuwangi",
    province="Jawa Timur",
    address="Jl. Barong No. 1, Kemiren, Glagah, Banyuwangi",
    postal_code="68432",
    head_name="H. Suhaimi",
)


def sample_application(
    resident: Resident = SITI,
    number: str = "KMR01-261125-0007",
    created_at: datetime = datetime(2026, 11, 25, 9, 14, tzinfo=WIB),
    **values: str,
) -> Application:
    """A domicile application by `resident` in Kemiren (purpose: applying for a job)."""
    return Application(
        application_number=number,
        letter="domisili",
        village_code=KEMIREN.code,
        kiosk_id="KMR01",
        created_at=created_at,
        resident=resident,
        values=values or {"keperluan": "Persyaratan melamar pekerjaan"},
    )
