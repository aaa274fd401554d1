from datetime import UTC, datetime, timedelta

from inventory.web.field_rules import before_last_upload, client_prefix, clock_offset

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_clock_within_the_skew_is_kept():
    assert clock_offset(NOW - timedelta(minutes=5), NOW, 5) is None
    assert clock_offset(NOW + timedelta(minutes=4), NOW, 5) is None


def test_a_clock_off_by_more_is_corrected_by_its_error_either_way():
    assert clock_offset(NOW - timedelta(hours=2), NOW, 5) == timedelta(hours=2)
    assert clock_offset(NOW + timedelta(minutes=6), NOW, 5) == timedelta(minutes=-6)


def test_prints_before_the_last_upload_are_refused_beyond_the_skew():
    last = NOW - timedelta(hours=1)
    assert before_last_upload(last - timedelta(minutes=6), last, 5)
    assert not before_last_upload(last - timedelta(minutes=5), last, 5)
    assert not before_last_upload(last + timedelta(minutes=1), last, 5)
    assert not before_last_upload(NOW - timedelta(days=3), None, 5)


def test_a_units_client_ids_fit_the_column():
    assert len(client_prefix("a" * 16) + "0" * 36) <= 64
