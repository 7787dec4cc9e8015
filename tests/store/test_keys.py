"""The key file as hostile input, and its cost (issue 10: 1.5 and 4.4)."""

from __future__ import annotations

import base64
import json

import pytest

from desktop.store import NotAStore, Store, WrongPassphrase, keys
from desktop.store.db import KEY_NAME

PASS = "correct horse battery"
N = 2**10


@pytest.fixture
def profile(tmp_path):
    Store.create(tmp_path / "p", PASS, scrypt_n=N).close()
    return tmp_path / "p"


def key_json(profile):
    return json.loads((profile / KEY_NAME).read_text())


def write_key(profile, data):
    (profile / KEY_NAME).write_text(data if isinstance(data, str) else json.dumps(data))


def test_the_default_cost_is_owasps_and_the_tests_only_lower_it_on_purpose(monkeypatch):
    assert keys.DEFAULT_SCRYPT_N == 2**17
    monkeypatch.delenv(keys.SCRYPT_N_VARIABLE, raising=False)
    assert keys.target_scrypt_n() == 2**17
    assert keys.wrap_key(b"k" * 32, PASS).n == 2**17
    monkeypatch.setenv(keys.SCRYPT_N_VARIABLE, str(2**40))  # out of range: ignored
    assert keys.target_scrypt_n() == 2**17


def test_an_older_key_file_is_rewrapped_at_the_next_unlock(profile):
    data = key_json(profile)
    del data["check"]  # as written before key files carried a checksum
    write_key(profile, data)
    assert key_json(profile)["kdf"]["n"] == N
    Store.open(profile, PASS, scrypt_n=2 * N).close()
    rewrapped = key_json(profile)
    assert rewrapped["kdf"]["n"] == 2 * N and "check" in rewrapped
    assert rewrapped["kdf"]["salt"] != data["kdf"]["salt"]  # a fresh wrap, not an edit
    Store.open(profile, PASS, scrypt_n=N).close()  # never weakened again
    assert key_json(profile)["kdf"]["n"] == 2 * N
    with pytest.raises(WrongPassphrase):
        Store.open(profile, "not the passphrase at all", scrypt_n=4 * N)
    assert key_json(profile)["kdf"]["n"] == 2 * N


@pytest.mark.parametrize("n", [2**40, 2**19, -1, 0, 3, 1000, True, 1.5, "32768", None])
def test_the_cost_read_from_a_key_file_is_capped(profile, n):
    """n=2^40 gave MemoryError and n=-1 OverflowError; now both say the key file is damaged."""
    data = key_json(profile)
    data["kdf"]["n"] = n
    write_key(profile, data)
    with pytest.raises(NotAStore, match="key file is damaged"):
        Store.open(profile, PASS)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "null",
        "42",
        '"waymark"',
        "{}",
        '{"format": "waymark-key/1"}',
        '{"format": "waymark-key/1", "kdf": []}',
        "\x00\x01",
        "{" * 5000,
        "",
    ],
    ids=["list", "null", "number", "string", "empty-object", "no-parts", "kdf-list", "binary", "deep", "empty"],
)
def test_a_key_file_that_is_not_one_is_damaged(profile, text):
    write_key(profile, text)
    with pytest.raises(NotAStore, match="key file is damaged"):
        Store.open(profile, PASS)


@pytest.mark.parametrize("part", [("kdf", "salt"), ("wrap", "nonce"), ("wrap", "ciphertext")])
def test_a_flipped_bit_in_the_key_file_is_damage_not_a_wrong_passphrase(profile, part):
    data = key_json(profile)
    raw = bytearray(base64.b64decode(data[part[0]][part[1]]))
    raw[0] ^= 0x01
    data[part[0]][part[1]] = base64.b64encode(bytes(raw)).decode()
    write_key(profile, data)
    with pytest.raises(NotAStore, match="key file is damaged"):
        Store.open(profile, PASS)


def test_a_truncated_part_is_damage(profile):
    data = key_json(profile)
    data["kdf"]["salt"] = data["kdf"]["salt"][:8]
    write_key(profile, data)
    with pytest.raises(NotAStore, match="key file is damaged"):
        Store.open(profile, PASS)


def test_the_wrong_passphrase_is_still_called_that(profile):
    with pytest.raises(WrongPassphrase):
        Store.open(profile, "another long passphrase")
