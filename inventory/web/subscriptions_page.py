"""Alert subscriptions in the browser: add a webhook or an e-mail for chosen alert kinds, see
what was sent lately and what failed, send a test, cancel.

The same permission (SUBSCRIBE: managers and admins) and service functions as
/api/v1/subscriptions and /api/v1/notifications; a user sees and acts on their own
subscriptions only (admins: everyone's).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from wtforms.fields.choices import SelectChoice

from ..auth import permissions
from ..core.db import db
from ..notify import probe, subscriptions
from ..offices import tree
from . import area
from .blueprint import bp, principal, write
from .forms import PostForm, SubscriptionForm
from .labels import office_name

RECENT = 30


def _subscriber():
    who = principal()
    permissions.require(who, permissions.SUBSCRIBE)
    return who


def _office_choices(asked: str | None = None) -> list[SelectChoice]:
    """The top of the user's area and the offices directly below it; and the office `asked` for,
    as POST /subscriptions takes any office the user may subscribe to (403 outside the area)."""
    offices = []
    for root in area.roots_for(principal()):
        offices += [root, *area.children_of(root)]
    if asked and asked not in {office.code for office in offices}:
        office = tree.get_by_code(asked)
        permissions.require(principal(), permissions.SUBSCRIBE, office.path)
        offices.append(office)
    return [SelectChoice(o.code, office_name(o.name, o.code)) for o in offices]


def _page(form: SubscriptionForm, status: int = 200):
    who = _subscriber()
    page = render_template(
        "web/subscriptions.html",
        form=form,
        subscriptions=subscriptions.list_subscriptions(who),
        notifications=subscriptions.list_notifications(who, limit=RECENT),
        failures=subscriptions.list_notifications(who, status="failed", limit=RECENT),
        button=PostForm(formdata=None),
    )
    return page, status


@bp.route("/subscriptions", methods=["GET"])
@login_required
def subscriptions_page():
    _subscriber()
    form = SubscriptionForm(formdata=None, office=request.args.get("office"))
    form.office.choices = _office_choices()
    form.kinds.data = form.kinds.data or [choice[0] for choice in form.kinds.iter_choices()]
    return _page(form)


@bp.route("/subscriptions", methods=["POST"])
@login_required
def subscribe():
    who = _subscriber()
    form = SubscriptionForm()
    form.office.choices = _office_choices(form.office.data)
    if not form.validate_on_submit():
        return _page(form, 422)
    webhook = form.channel.data == "webhook"
    fields = {"url": form.url.data, "secret": form.secret.data} if webhook else {"email": form.email.data}
    created = write(
        lambda: subscriptions.create_subscription(
            who, office=form.office.data, kinds=form.kinds.data, channel=form.channel.data, **fields
        )
    )
    if created is None:
        return _page(form, 422)
    flash(_("Subscription %(id)s added.", id=created["id"]), "success")
    return redirect(url_for("web.subscriptions_page"))


@bp.route("/subscriptions/<id32:subscription_id>/test", methods=["POST"])
@login_required
def test_subscription(subscription_id: int):
    result = probe.send_test(_subscriber(), subscription_id)
    if result["succeeded"]:
        flash(_("Test sent to subscription %(id)s: the receiver took it.", id=subscription_id), "success")
    else:
        flash(
            _(
                "Test to subscription %(id)s failed: %(error)s",
                id=subscription_id,
                error=result["error"] or "?",
            ),
            "error",
        )
    return redirect(url_for("web.subscriptions_page"))


@bp.route("/subscriptions/<id32:subscription_id>/cancel", methods=["POST"])
@login_required
def cancel_subscription(subscription_id: int):
    who = _subscriber()
    try:  # someone else's subscription is a 404 page, as DELETE /subscriptions/{id} answers
        subscriptions.cancel_subscription(who, subscription_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    flash(_("Subscription %(id)s cancelled.", id=subscription_id), "success")
    return redirect(url_for("web.subscriptions_page"))
