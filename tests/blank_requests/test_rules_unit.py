"""The request's pure rules: transitions, quotas, fulfilment and addressing."""

from __future__ import annotations

import pytest

from inventory.blank_requests import rules
from inventory.blank_requests.rules import State
from inventory.core.errors import Conflict, Invalid

SUBMITTED = State("submitted", quantity=4000, approved_quantity=None)
APPROVED = State("approved", quantity=4000, approved_quantity=2500)
LEGAL = {(status, action) for action, sources in rules.TRANSITIONS.items() for status in sources}


@pytest.mark.parametrize("status", rules.STATUSES)
@pytest.mark.parametrize("action", rules.TRANSITIONS)
def test_each_transition_leaves_only_from_its_states(status, action):
    state = State(status, quantity=10, approved_quantity=10 if status != "draft" else None)
    if (status, action) in LEGAL:
        assert rules.transition(state, action, note="because").status != status
    else:
        with pytest.raises(Conflict) as refused:
            rules.transition(state, action, note="because")
        assert refused.value.error == "bad_request_state"
        assert refused.value.details == {"status": status, "action": action}


def test_approving_without_a_quantity_grants_what_was_asked():
    assert rules.transition(SUBMITTED, "approve") == State("approved", 4000, 4000)


def test_a_lower_quota_needs_a_note_and_a_higher_one_is_refused():
    with pytest.raises(Invalid, match="note"):
        rules.transition(SUBMITTED, "approve", approved_quantity=2500)
    with pytest.raises(Invalid, match="note"):
        rules.transition(SUBMITTED, "approve", approved_quantity=2500, note="   ")
    assert (
        rules.transition(SUBMITTED, "approve", approved_quantity=2500, note="Stok").approved_quantity == 2500
    )
    with pytest.raises(Invalid) as too_high:
        rules.transition(SUBMITTED, "approve", approved_quantity=4001)
    assert too_high.value.details["maximum"] == 4000


def test_each_step_of_a_route_may_lower_what_the_one_before_granted_and_only_the_last_approves():
    routed = State("submitted", quantity=20_000, approved_quantity=None, steps=2)
    province = rules.transition(routed, "approve", approved_quantity=16_000, note="Cukup")
    assert (province.status, province.step, province.approved_quantity) == ("submitted", 1, 16_000)
    with pytest.raises(Invalid):
        rules.transition(province, "approve", approved_quantity=17_000, note="Lebih")
    national = rules.transition(province, "approve", approved_quantity=14_000, note="Kuota")
    assert (national.status, national.approved_quantity) == ("approved", 14_000)


@pytest.mark.parametrize("action", ["reject", "close"])
def test_a_rejection_or_a_closing_says_why(action):
    state = SUBMITTED if action == "reject" else APPROVED
    with pytest.raises(Invalid) as refused:
        rules.transition(state, action)
    assert refused.value.details["field"] == "note"


def test_shipping_follows_the_quota_and_over_approve_passes_it():
    shipped = rules.ship(APPROVED, 1500)
    assert (shipped.status, shipped.shipped) == ("partially_fulfilled", 1500)
    with pytest.raises(Conflict) as over:
        rules.ship(shipped, 1001)
    assert over.value.error == "over_approved"
    assert rules.ship(shipped, 1001, over_approve=True).shipped == 2501


@pytest.mark.parametrize("status", sorted(set(rules.STATUSES) - rules.OPEN_FOR_SHIPPING))
def test_nothing_is_shipped_against_a_request_that_is_not_approved(status):
    with pytest.raises(Conflict) as refused:
        rules.ship(State(status, 10, 10), 1)
    assert refused.value.error == "bad_request_state"


def test_received_covering_the_quota_fulfils_and_a_call_back_undoes_a_shipment():
    state = rules.receive(rules.ship(APPROVED, 2500), 2500)
    assert (state.status, rules.outstanding(state)) == ("fulfilled", 0)
    partly = rules.receive(rules.ship(APPROVED, 2000), 1000)
    assert (partly.status, rules.outstanding(partly)) == ("partially_fulfilled", 1500)
    called_back = rules.call_back(rules.ship(APPROVED, 1200), 1200)
    assert (called_back.status, called_back.shipped) == ("approved", 0)


def test_a_closed_request_counts_late_arrivals_but_stays_closed_and_owes_nothing():
    closed = State("closed", 4000, 2500, shipped=2000, received=1000)
    late = rules.receive(closed, 1000)
    assert (late.status, late.received, rules.outstanding(late)) == ("closed", 2000, 0)


@pytest.mark.parametrize(
    ("requester", "supplier", "kind"),
    [
        ("/1/2/4/", "/1/2/", "ancestor"),  # the parent
        ("/1/2/4/", "/1/", "ancestor"),  # straight to the national office
        ("/1/2/4/", "/1/2/5/", "sibling"),  # a loan between regencies
    ],
)
def test_a_request_goes_up_the_tree_or_to_a_sibling(requester, supplier, kind):
    assert rules.check_supplier(requester, supplier) == kind


@pytest.mark.parametrize(
    ("requester", "supplier"),
    [
        ("/1/2/4/", "/1/2/4/"),
        ("/1/2/", "/1/2/4/"),
        ("/1/2/4/", "/1/3/6/"),
        ("/1/", "/1/2/"),
        ("/1/2/4/", "/1/3/"),
    ],
)
def test_below_itself_a_cousin_or_itself_is_no_supplier(requester, supplier):
    with pytest.raises(Invalid) as refused:
        rules.check_supplier(requester, supplier)
    assert refused.value.details["field"] == "supplier"


def test_a_route_lists_the_offices_between_nearest_first():
    rules.check_route("/1/2/4/", ["/1/2/"], "/1/")
    for via in (["/1/"], ["/1/2/4/"], ["/1/3/"], ["/1/2/", "/1/2/"]):
        with pytest.raises(Invalid):
            rules.check_route("/1/2/4/", via, "/1/")


def test_another_quantity_than_the_suggestion_needs_a_justification():
    rules.needs_justification(1442, 1442, None)
    rules.needs_justification(4000, None, None)
    with pytest.raises(Invalid) as refused:
        rules.needs_justification(4000, 1442, " ")
    assert refused.value.details == {"field": "justification", "suggested_quantity": 1442}
    rules.needs_justification(4000, 1442, "Pemilu")


@pytest.mark.parametrize(
    ("days", "measured"),
    [
        ([], None),
        ([12.0, 30.0], None),  # two requests are not yet a lead time: the setting stands
        ([10.0, 20.5, 30.0], 21),  # the median, rounded up to a whole day
        ([10.0, 40.0, 20.0, 30.0], 25),  # an even count: the mean of the middle two
        ([7.0, 7.0, 7.0, 7.0, 7.0, 90.0, 90.0], 7),  # only the last five (newest first) count
        ([0.2, 0.5, 0.9], 1),
        ([0.0, 0.0, 0.0], 0),
        ([10.2, 10.3, 10.2], 11),
        ([10.01, 10.04, 10.0], 10),  # minutes past the day are not a day more
    ],
)
def test_lead_time_is_the_median_of_the_last_fulfilled_requests(days, measured):
    assert rules.measured_lead_time(days) == measured
