"""A transfer received as counted at the door (issue 14): who may receive it, and what a
shortfall writes.

Segregation of duties: who dispatched a transfer does not receive it (403 same_person), so
no one person can both send blanks and confirm they arrived. An office staffed by one
person may allow it (`offices.allow_self_receipt`); the setting is honoured only while the
office has at most one active user, so it lapses by itself when a second person joins.

A shortfall is the source's loss, not the destination's: the destination lands what it
counted, and the blanks that did not arrive go back onto the source's books (a
`transfer_return` naming the transfer) and off them at once as a `loss_in_transit` with
the receiver's note. The source's balance is unchanged by the pair, as it should be (they
left it at dispatch), but its stock card and the usage report now say where they went, and
the source's managers get an alert (LossInTransit: planning/transit_alerts.py). Where the
transfer carries serials, the missing ones must be named, and they end with the loss.
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from ..auth.models import User
from ..core import bus
from ..core.db import db
from ..core.errors import Conflict, Forbidden, Invalid
from ..core.principal import Principal
from ..offices.models import Office
from . import books, serial_ranges
from .events import LossInTransit, TransferReceived
from .ledger import B, get_transfer
from .serials import SerialRange, total
from .transfers import close, not_in_transit, receive_transfer, with_serials

REASON_MAX = 500  # the movement's reason column


def receive_counted(
    transfer_id: int,
    actor: Principal,
    counted: int | None = None,
    note: str | None = None,
    missing_serials: list[SerialRange] | None = None,
) -> dict:
    """Receive a transfer as counted: all of it (no count, or the full count), or fewer, the
    rest recorded as lost in transit at the source. Refused, writing nothing: by the person who
    dispatched it (403 same_person), a count above what was sent (422 counted_exceeds_sent), a
    short count of a transfer with serials that does not name the missing ones (422
    missing_serials_required), and a short count of cards for destruction (409)."""
    sent = get_transfer(transfer_id)
    if sent["status"] != "in_transit":  # before its count is judged; close() holds it under a race
        raise not_in_transit(sent)
    refuse_self_receipt(sent, actor)
    quantity = sent["quantity"]
    named = total(missing_serials) if missing_serials else 0
    if counted is None:
        counted = quantity - named
    if not 0 <= counted <= quantity:
        raise Invalid(
            f"Counted {counted}, but transfer {transfer_id} carries {quantity} blanks.",
            error="counted_exceeds_sent",
            field="counted",
            counted=counted,
            sent=quantity,
        )
    missing = quantity - counted
    if missing == 0 and not missing_serials:
        return receive_transfer(transfer_id, actor)
    if sent["category"] is not None:
        raise Conflict(
            f"Transfer {transfer_id} carries cards awaiting destruction: receive it whole, then "
            "record each missing one.",
            error="missing_cards_need_naming",
        )
    carried = serial_ranges.moved_by_transfer(transfer_id)
    if carried and named != missing:
        raise Invalid(
            f"Transfer {transfer_id} carries serials: name the {missing} missing ones (named: {named}).",
            error="missing_serials_required",
            field="missing_serials",
            missing=missing,
            named=named,
        )
    if not carried and missing_serials:
        message = f"Transfer {transfer_id} carries no serials."
        raise Invalid(message, error="transfer_without_serials", field="missing_serials")
    return _receive_short(transfer_id, actor, counted, note, missing_serials or [])


def refuse_self_receipt(transfer: dict, actor: Principal) -> None:
    """403 same_person, unless another person receives or the receiving office allows it."""
    if transfer["dispatched_by_id"] != actor.user_id:
        return
    office_id = transfer["to_office_id"]
    allowed = db.session.execute(select(Office.allow_self_receipt).where(Office.id == office_id)).scalar()
    people = db.session.execute(
        select(func.count()).select_from(User).where(User.office_id == office_id, User.active.is_(True))
    ).scalar_one()
    if allowed and people <= 1:
        return
    raise Forbidden(
        f"You dispatched transfer {transfer['id']}: someone else at {transfer['to']} must receive it.",
        error="same_person",
        allow_self_receipt=bool(allowed),
        people=people,
    )


def _receive_short(
    transfer_id: int, actor: Principal, counted: int, note: str | None, missing_serials: list[SerialRange]
) -> dict:
    source, destination, quantity, request_id, _ = close(transfer_id, actor, "received")
    missing = quantity - counted
    books.lock_balances(source.id, destination.id)
    db.session.execute(
        update(B).where(B.c.office_id == source.id).values(in_transit_out=B.c.in_transit_out - quantity)
    )
    db.session.execute(
        update(B).where(B.c.office_id == destination.id).values(in_transit_in=B.c.in_transit_in - quantity)
    )
    bus.publish(TransferReceived(request_id, counted, actor))  # after the balances, before the rollups
    reference = f"transfer:{transfer_id}"
    serials = [str(found) for found in sorted(missing_serials)]
    back = books.record(
        source,
        actor,
        "transfer_return",
        missing,
        books.credit(source.id, missing),
        transfer_id=transfer_id,
        reference=reference,
    )
    if missing_serials:
        serial_ranges.fall_short(transfer_id, missing_serials, source.id, back["id"])
    loss = books.record(
        source,
        actor,
        "loss_in_transit",
        -missing,
        books.debit(source.id, missing),
        transfer_id=transfer_id,
        reference=reference,
        reason=_serials_text(serials),
        note=note,
    )
    if missing_serials:
        serial_ranges.end(source.id, missing_serials, loss["id"])
    if counted:
        landed = books.record(
            destination,
            actor,
            "transfer_in",
            counted,
            books.credit(destination.id, counted),
            transfer_id=transfer_id,
            reference=reference,
        )
        serial_ranges.land(transfer_id, destination.id, landed["id"])
    books.settle({destination.path: (counted, -quantity), source.path: (0, 0)})
    bus.publish(
        LossInTransit(
            source.id, source.code, source.path, transfer_id, destination.code,
            quantity, counted, tuple(serials), note, loss["id"], actor,
        )
    )  # fmt: skip
    return {
        **with_serials(transfer_id),
        "counted": counted,
        "missing": missing,
        "missing_serials": serials,
        "loss": loss,
    }


def _serials_text(serials: list[str]) -> str | None:
    """The loss's reason: the missing serials, as data (the stock card words the rest from the
    movement's own figures; the receiver's words are its note). The full list, should it not
    fit, is in the serials' trail and the alert."""
    if not serials:
        return None
    text = ", ".join(serials)
    return text if len(text) <= REASON_MAX else text[: REASON_MAX - 3] + "..."
