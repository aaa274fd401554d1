"""Which passwords a person may choose. Pure: the list is a file shipped with the code, so the
check works on an offline office network and sends no password anywhere."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")

TOO_SHORT, TOO_LONG, COMMON, CONTAINS_NAME = "too_short", "too_long", "common", "contains_name"

# What people pad a common word with to pass a length rule: "dragon2024!!", "##sunshine".
_PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")
# Runs of the keyboard and the alphabet: any stretch of one, either way, is a guess away.
_RUNS = (
    "1234567890" * 4,
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
_RUNS += tuple(run[::-1] for run in _RUNS)


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problems(password: str, user_name: str = "") -> list[str]:
    """Why `password` may not be chosen by `user_name`; [] when it may."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        found.append(TOO_LONG)
    if is_common(password):
        found.append(COMMON)
    name = user_name.strip().lower()
    if len(name) >= 3 and name in password.lower():
        found.append(CONTAINS_NAME)
    return found


def is_common(password: str) -> bool:
    """On the list, once padded with digits or punctuation stripped, a run of the keyboard or
    the alphabet, or a repetition of a listed word or of a few characters ("passwordpassword")."""
    common = common_passwords()
    lowered = password.lower()
    unit = _repeated_unit(lowered)
    stripped = _PADDING.sub("", lowered)
    return (
        lowered in common
        or (len(stripped) >= 4 and stripped in common)
        or len(set(lowered)) <= 2
        or any(lowered in run for run in _RUNS)
        or (unit != lowered and (len(unit) <= 4 or unit in common))
    )


def _repeated_unit(text: str) -> str:
    """The shortest string that `text` is a repetition of ("abab" -> "ab"), else `text`."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text
