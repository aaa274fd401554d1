"""Serial notations (inventory/stock/serials.py): what each reads as, and every way it refuses."""

from __future__ import annotations

import pytest

from inventory.stock.serials import (
    NotationError,
    SerialRange,
    carve,
    parse_manifest,
    parse_notations,
    parse_range,
    parse_serial,
)


def test_a_serial_is_prefix_width_and_number():
    assert parse_serial("KTP0001000") == ("KTP", 7, 1000)
    assert parse_serial("04A1B2C3D4E5F6") == ("04A1B2C3D4E5F", 1, 6)  # a chip UID reads the same way always
    assert parse_serial("CHIPXYZ") == ("CHIPXYZ", 0, 0)
    assert parse_serial("1" * 20) == ("11", 18, int("1" * 18))  # at most 18 digits are the number


def test_notations():
    assert parse_range("KTP0001000-KTP0001999") == SerialRange("KTP", 7, 1000, 1999)
    assert parse_range("KTP0001000+1000") == SerialRange("KTP", 7, 1000, 1999)
    assert parse_range("KTP0001000") == SerialRange("KTP", 7, 1000, 1000)
    assert str(SerialRange("KTP", 7, 1000, 1999)) == "KTP0001000-KTP0001999"
    assert str(SerialRange("KTP", 7, 5, 5)) == "KTP0000005"
    listed = parse_notations(["KTP0000001-KTP0000010, KTP0000020+5", "UID1 UID3;UID5"])
    assert [found.count for found in listed] == [10, 5, 1, 1, 1]
    assert parse_notations(["KTP0001000 - KTP0001999", "KTP0002000 +5"]) == [
        SerialRange("KTP", 7, 1000, 1999),
        SerialRange("KTP", 7, 2000, 2004),
    ]


@pytest.mark.parametrize(
    "notation, complaint",
    [
        ("KTP0001000-KTP001999", "same number of digits"),  # wrong width
        ("KTP0001000-KTQ0001999", "same prefix"),  # mixed prefixes
        ("KTP0001999-KTP0001000", "comes after"),  # last < first
        ("KTP0000000+99999999", "count is 1 to"),  # huge count
        ("KTP00000000-KTP99999999", "at most"),  # huge range
        ("KTP0000001+0", "count is 1 to"),
        ("KTP9999999+2", "runs past"),
        ("KTP0000001+x", "count of blanks"),
        ("KTP\x000001", "only letters"),  # NUL
        ("KTP 01", None),  # a space separates: two serials, fine
        ("ABC-DEF", "same prefix"),
        ("ABC-ABC", "between serials ending in digits"),
        ("ABC+3", "ending in digits"),
        ("", "Name at least one"),
        ("X" * 65, "1 to 64"),
        ("KTP/0001", "only letters"),  # a serial must fit in a URL path: GET /serials/{serial}
        ("KTP\u0661\u0662\u0663", "only letters"),  # Arabic-Indic digits are not digits here
        ("KTP0000001, KTP0000001", "same serial twice"),
        ("KTP0000001-KTP0000010 KTP0000005+2", "same serial twice"),
    ],
)
def test_bad_notations_say_why(notation, complaint):
    if complaint is None:
        assert len(parse_notations([notation])) == 2
        return
    with pytest.raises(NotationError, match=complaint):
        parse_notations([notation])


def test_manifests_text_and_csv():
    text = parse_manifest("04A1B2C3D4E5F6\n04A1B2C3D4E5F7\n\nCHIPX\n")
    assert [found.count for found in text] == [1, 1, 1]
    csv = parse_manifest("uid,note\n04A1,box 1\n04A2,box 1\n")
    assert [str(found) for found in csv] == ["04A1", "04A2"]
    with pytest.raises(NotationError):
        parse_manifest("uid\n")
    with pytest.raises(NotationError, match="same serial twice"):
        parse_manifest("A1\nA1\n")


def test_carving_leaves_what_was_not_taken():
    held = SerialRange("K", 3, 100, 199)
    assert carve(held, SerialRange("K", 3, 100, 199)) == []
    assert carve(held, SerialRange("K", 3, 100, 109)) == [SerialRange("K", 3, 110, 199)]
    assert carve(held, SerialRange("K", 3, 150, 150)) == [
        SerialRange("K", 3, 100, 149),
        SerialRange("K", 3, 151, 199),
    ]
