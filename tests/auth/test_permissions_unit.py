"""Who may do what, where: the pure rules of inventory/auth/permissions.py, without a database."""

from __future__ import annotations

import pytest

from inventory.auth import permissions as p
from inventory.auth.permissions import in_area, may, require
from inventory.core.errors import Forbidden
from inventory.core.principal import Principal

# Paths as the tree stores them: national /1/, province 62 /1/2/, regency 62.02 /1/2/4/ with
# district /1/2/4/5/, and a neighbour whose id merely starts with the same digit, /1/2/40/.
NATIONAL, PROVINCE, REGENCY, DISTRICT, LOOKALIKE = "/1/", "/1/2/", "/1/2/4/", "/1/2/4/5/", "/1/2/40/"
NEIGHBOUR = "/1/2/3/"


def user(role, office_path=REGENCY):
    return Principal(
        user_id=1, name=role, role=role, office_id=4, office_code="62.02", office_path=office_path
    )


ADMIN = Principal(user_id=9, name="admin", role="admin", office_id=None, office_code=None, office_path=None)
EVERY_ACTION = (p.READ, p.DELIVER, p.TRANSFER, p.PRINT, p.ADJUST, p.REVERSE, p.SET_THRESHOLD,
                p.MANAGE_OFFICES, p.MANAGE_USERS, p.ACKNOWLEDGE, p.PLAN, p.SUBSCRIBE)  # fmt: skip
ALLOWED = {
    "manager": {p.READ, p.ADJUST, p.REVERSE, p.SET_THRESHOLD, p.ACKNOWLEDGE, p.PLAN, p.SUBSCRIBE},
    "warehouse": {p.READ, p.DELIVER, p.TRANSFER},
    "operator": {p.READ, p.PRINT},
}


def test_an_area_is_the_office_and_everything_below_it():
    regency_user = user("operator")

    assert in_area(regency_user, REGENCY)
    assert in_area(regency_user, DISTRICT)
    assert not in_area(regency_user, PROVINCE)
    assert not in_area(regency_user, NATIONAL)
    assert not in_area(regency_user, NEIGHBOUR)


def test_an_office_whose_id_starts_like_yours_is_not_in_your_area():
    assert not in_area(user("manager"), LOOKALIKE)


def test_admins_see_everything_even_without_an_office():
    assert all(in_area(ADMIN, path) for path in (NATIONAL, REGENCY, LOOKALIKE))


def test_a_user_without_an_office_has_no_area():
    assert not in_area(user("manager", office_path=None), REGENCY)
    assert not may(user("manager", office_path=None), p.READ, REGENCY)


@pytest.mark.parametrize("role", sorted(ALLOWED))
@pytest.mark.parametrize("action", EVERY_ACTION)
def test_each_role_may_do_exactly_its_actions_in_its_area(role, action):
    allowed = action in ALLOWED[role]

    assert may(user(role), action) is allowed
    assert may(user(role), action, DISTRICT) is allowed
    assert may(user(role), action, NEIGHBOUR) is False


@pytest.mark.parametrize("action", EVERY_ACTION)
def test_an_admin_may_do_anything_anywhere(action):
    assert may(ADMIN, action)
    assert may(ADMIN, action, LOOKALIKE)
    require(ADMIN, action, NEIGHBOUR)  # does not raise


def test_only_admins_manage_offices_and_users():
    for role in ALLOWED:
        assert not may(user(role), p.MANAGE_OFFICES, REGENCY)
        assert not may(user(role), p.MANAGE_USERS)


def test_an_unknown_role_may_do_nothing():
    assert not any(may(user("auditor"), action, REGENCY) for action in EVERY_ACTION)


def test_require_tells_a_wrong_role_from_a_wrong_place():
    with pytest.raises(Forbidden) as wrong_role:
        require(user("operator"), p.DELIVER, REGENCY)
    with pytest.raises(Forbidden) as wrong_place:
        require(user("operator"), p.PRINT, NEIGHBOUR)

    assert (wrong_role.value.status, wrong_role.value.error) == (403, "forbidden")
    assert wrong_role.value.message == "Your role (operator) may not deliver."
    assert (wrong_place.value.status, wrong_place.value.error) == (403, "outside_area")
    assert wrong_place.value.message == "This office is outside your area."


def test_require_names_the_action_in_words():
    with pytest.raises(Forbidden) as refused:
        require(user("warehouse"), p.SET_THRESHOLD, REGENCY)

    assert refused.value.message == "Your role (warehouse) may not set threshold."


def test_a_wrong_role_outside_the_area_is_refused_for_the_role():
    with pytest.raises(Forbidden) as refused:
        require(user("operator"), p.ADJUST, NEIGHBOUR)

    assert refused.value.error == "forbidden"  # the role is the reason; where does not matter


def test_require_passes_silently_when_allowed():
    assert require(user("manager"), p.ADJUST, DISTRICT) is None
    assert require(user("warehouse"), p.TRANSFER) is None


def test_is_admin_follows_the_role_alone():
    assert ADMIN.is_admin
    assert not user("manager").is_admin
    assert Principal(1, "x", "admin", 4, "62.02", REGENCY).is_admin
