"""The password rules: long enough, not on the list of common passwords in any usual disguise."""

from __future__ import annotations

import pytest

from inventory.auth import passwords
from inventory.auth.passwords import COMMON, CONTAINS_NAME, TOO_LONG, TOO_SHORT, problems


@pytest.mark.parametrize(
    "password",
    ["kalteng-62-baru", "Sampit pagi hujan deras", "correct horse battery", "x7#Lq9!vPz2@", "a" * 11 + "Z"],
)
def test_long_uncommon_passwords_are_accepted(password):
    assert problems(password, "manager") == ([] if password != "a" * 11 + "Z" else [COMMON])


@pytest.mark.parametrize("password", ["", "a", "Kalteng-62b", "x7#Lq9!vPz2"])  # up to 11 characters
def test_short_passwords_are_refused(password):
    assert TOO_SHORT in problems(password)


def test_a_password_may_be_at_most_200_characters():
    assert problems("Kalteng62!" * 20) == []
    assert problems("Kalteng62!" * 20 + "x") == [TOO_LONG]


@pytest.mark.parametrize(
    "password",
    ["password1234", "PASSWORD1234", "qwertyuiopasdfgh", "1234567890123",  # on the list as they are
     "dragon2024!!!", "##sunshine2023", "Bismillah12345", "indonesia2024!",  # padded
     "passwordpassword", "abcabcabcabc", "aaaaaaaaaaaaaaaa", "abababababab", "121212121212"],  # repeated
)  # fmt: skip
def test_common_passwords_are_refused_in_any_usual_disguise(password):
    assert COMMON in problems(password)


def test_the_list_is_shipped_with_the_code_and_big():
    common = passwords.common_passwords()
    assert len(common) >= 30_000
    assert {"123456", "password", "qwerty", "bismillah"} <= common
    assert all(word == word.lower() for word in common)


@pytest.mark.parametrize(("name", "refused"), [("manager", True), ("Manager", True), ("ab", False)])
def test_the_user_name_may_not_be_in_the_password(name, refused):
    assert (CONTAINS_NAME in problems("Xmanager-of-Kotim-62", name)) == refused
