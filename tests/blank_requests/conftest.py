"""Requests for blanks: the test world plus the province's and the national office's people."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(api):
    """The test world, with managers and warehouse staff above the regency."""
    api.add_user("province_manager", "manager", "62")
    api.add_user("province_warehouse", "warehouse", "62")
    api.add_user("national_manager", "manager", "ID")
    return api
