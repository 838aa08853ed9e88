from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.id import nik as stdnum_nik

from forms.nik import check_nik, mask_nik, resolve_century

TODAY = date(2026, 11, 25)


def test_a_womans_nik_has_day_plus_40():
    c = check_nik("3510155208580003", today=TODAY)
    assert c.valid and c.sex == "P" and c.birth_date == date(1958, 8, 12)
    assert c.province == "Jawa Timur" and c.regency == "BANYUWANGI" and c.warnings == ()


def test_a_man_born_in_2001_is_not_made_a_hundred_years_older():
    assert stdnum_nik.get_birth_date("3510152106010004") == date(1901, 6, 21)  # stdnum's flaw
    c = check_nik("3510152106010004", today=TODAY)
    assert c.valid and c.sex == "L" and c.birth_date == date(2001, 6, 21)


def test_a_baby_born_this_year_and_an_elder_born_last_century():
    assert check_nik("3510151011260001", today=TODAY).birth_date == date(2026, 11, 10)
    assert check_nik("3510151012260001", today=TODAY).birth_date == date(1926, 12, 10)
    assert check_nik("3510154303490001", today=TODAY).birth_date == date(1949, 3, 3)


def test_the_registry_birth_date_resolves_a_centenarian():
    c = check_nik("3510150101250001", today=TODAY, known_birth_date=date(1925, 1, 1))
    assert c.birth_date == date(1925, 1, 1) and c.warnings == ()


@pytest.mark.parametrize("raw", ["", "351015520858000", "35101552085800031", "35101552O8580003",
                                 "３５１０１５５２０８５８０００３"])
def test_not_sixteen_digits_is_refused(raw):
    c = check_nik(raw, today=TODAY)
    assert not c.valid and c.errors[0].code == "nik_format"


def test_separators_people_type_are_accepted():
    assert check_nik("35.10.15 520858-0003", today=TODAY).nik == "3510155208580003"


@pytest.mark.parametrize("raw", ["3510153208580003", "3510157208580003", "3510150013580003",
                                 "3510153002000003", "3510150000580003"])
def test_impossible_birth_dates_are_refused(raw):
    c = check_nik(raw, today=TODAY)
    assert [e.code for e in c.errors] == ["nik_birth_date"]


def test_serial_0000_is_refused():
    assert [e.code for e in check_nik("3510155208580000", today=TODAY).errors] == ["nik_serial"]


@pytest.mark.parametrize("raw, code", [("9910155208580003", "nik_province_unknown"),
                                       ("3599155208580003", "nik_regency_unknown"),
                                       ("3510005208580003", "nik_district_unknown")])
def test_an_unknown_region_is_a_warning_not_a_refusal(raw, code):
    c = check_nik(raw, today=TODAY)
    assert c.valid and code in [w.code for w in c.warnings]
    # stdnum refuses an unknown province outright, and does not look at regency or district.
    assert stdnum_nik.is_valid(raw) == (code != "nik_province_unknown")


def test_registry_mismatches_are_warnings():
    c = check_nik("3510155208580003", today=TODAY, known_birth_date=date(1958, 8, 13),
                  known_sex="L")
    assert c.valid
    assert {w.code for w in c.warnings} == {"nik_birth_mismatch", "nik_sex_mismatch"}


def test_every_problem_speaks_both_languages():
    for raw in ("x", "3510153208580000", "9900005208580003"):
        for p in (*check_nik(raw, today=TODAY).errors, *check_nik(raw, today=TODAY).warnings):
            assert p.id.endswith(".") and p.en.endswith(".") and p.id != p.en


def test_mask():
    assert mask_nik("3510155208580003") == "3510********0003"


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=24))
def test_any_text_is_checked_without_crashing(raw):
    c = check_nik(raw, today=TODAY)
    assert c.valid == (not c.errors)
    if c.valid:
        assert c.birth_date <= TODAY and len(c.nik) == 16


@settings(max_examples=2000, deadline=None)
@given(st.dates(min_value=date(1927, 1, 1), max_value=TODAY), st.sampled_from("LP"),
       st.integers(1, 9999))
def test_round_trip_for_anyone_younger_than_a_hundred(born, sex, serial):
    day = born.day + (40 if sex == "P" else 0)
    raw = f"351015{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    c = check_nik(raw, today=TODAY)
    assert c.valid and c.birth_date == born and c.sex == sex


def test_resolve_century_never_gives_a_future_date():
    assert resolve_century(26, 11, 25, TODAY) == date(2026, 11, 25)
    assert resolve_century(26, 11, 26, TODAY) == date(1926, 11, 26)


def test_the_back_office_registry_refuses_an_impossible_nik_and_keeps_a_good_one(tmp_path):
    import dataclasses

    from backoffice.db import (
        apply_settings,
        find_resident,
        make_engine,
        make_sessionmaker,
        migrate,
    )
    from backoffice.registry import InvalidNik, upsert_resident
    from backoffice.settings import Settings
    from forms.samples import SITI

    engine = make_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    migrate(engine)
    village = "35.10.15.2003"
    with make_sessionmaker(engine)() as session:
        apply_settings(session, Settings.load("deploy/demo/backoffice.toml"))
        with pytest.raises(InvalidNik) as e:
            upsert_resident(session, village, dataclasses.replace(SITI, nik="3510153208580003"))
        assert e.value.problems[0].code == "nik_birth_date"
        assert find_resident(session, village, "3510153208580003") is None
        # An unknown regency is only a warning: the resident is stored.
        odd = dataclasses.replace(SITI, nik="3599155208580003")
        upsert_resident(session, village, odd)
        assert find_resident(session, village, odd.nik) is not None
