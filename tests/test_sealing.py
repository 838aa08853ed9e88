import os

import pytest

from terminal.sealing import KeyFileError, Sealer, SealError


def test_seal_and_open_round_trip_and_contexts_do_not_mix(tmp_path):
    s = Sealer.from_key_file(tmp_path / "kiosk.key", create=True)
    blob = s.seal(b"NIK 3510155208580003", b"key-1")
    assert b"3510155208580003" not in blob
    assert s.open(blob, b"key-1") == b"NIK 3510155208580003"
    with pytest.raises(SealError):
        s.open(blob, b"key-2")  # moved to another row
    for i in range(len(blob)):
        damaged = bytearray(blob)
        damaged[i] ^= 0x01
        with pytest.raises(SealError):
            s.open(bytes(damaged), b"key-1")


def test_the_key_file_is_created_root_only_and_kept(tmp_path):
    path = tmp_path / "etc" / "kiosk.key"
    a = Sealer.from_key_file(path, create=True)
    assert oct(path.stat().st_mode & 0o777) == "0o600" and len(path.read_bytes()) == 32
    b = Sealer.from_key_file(path)
    assert b.open(a.seal(b"x", b"c"), b"c") == b"x"
    with pytest.raises(SealError):
        Sealer.from_key_file(tmp_path / "other.key", create=True).open(a.seal(b"x", b"c"), b"c")


def test_a_missing_or_open_key_file_is_refused(tmp_path):
    with pytest.raises(KeyFileError):
        Sealer.from_key_file(tmp_path / "missing.key")
    path = tmp_path / "open.key"
    path.write_bytes(os.urandom(32))
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="0600"):
        Sealer.from_key_file(path)
