"""The one path by which a status changes: every staff decision on a business, a
product or an owner's proposed change, and the owner's own (submit, withdraw,
resubmit). The admin forms, the bulk actions and the owner's views all call these;
outlets/decisions.py does the same for displays, through decide().

decide() locks the row, refuses a decision on an object changed since it was loaded
(EditConflict, naming who changed it and when), checks the transition is allowed
(the model's DECISIONS) and that a reason is given where one is required
(REASON_REQUIRED), records who, when and why, saves (the history records the
change with its author) and queues the owner's email for after the commit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from .emails import notify_owner_of_change_decision, notify_owner_of_review
from .models import Business, Certification, Product, ProposedChange


class EditConflict(ValidationError):
    """The object changed since the person's page or form was drawn."""

    def __init__(self, obj, version):
        changed = last_change(obj, version)
        if changed is None:
            message = gettext(
                "Someone else changed this after you opened the page. Reload the "
                "page to see their change; what you entered is still below."
            )
        else:
            who, when = changed
            message = gettext(
                "%(who)s changed this on %(when)s, after you opened the page. "
                "Reload the page to see their change; what you entered is still "
                "below."
            ) % {"who": who, "when": when}
        super().__init__(message, code="edit_conflict")


def last_change(obj, version):
    """(who, when) of the change that gave obj the version, from its history, as
    text; None when the history does not tell."""
    history = getattr(type(obj), "history", None)
    if history is None:
        return None
    record = (
        history.filter(**{obj._meta.pk.attname: obj.pk, "version": version})
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    if record is None:
        return None
    user = record.history_user
    who = (user.full_name or user.email) if user else gettext("Someone")
    return who, date_format(timezone.localtime(record.history_date), "j F Y H.i")


def stored_version(obj):
    """The version of obj as stored now; inside a transaction its row stays locked
    until the end (so nobody else changes it between a check and the save)."""
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    return rows.values_list("version", flat=True).get()


def check_version(obj, version):
    """Refuse (EditConflict) when obj was saved since it had the version; call it
    inside the transaction that saves, which keeps the row locked."""
    current = stored_version(obj)
    if current != version:
        raise EditConflict(obj, current)


def check_decision(obj, status, reason=""):
    """Refuse (ValidationError) the decision to give obj the status: not allowed
    from the status it has stored, or without a reason where one is required. A
    new object may start with any status."""
    stored = getattr(obj, "_stored_status", obj.status)
    if obj.pk and stored not in obj.DECISIONS.get(status, ()):
        raise ValidationError(
            gettext("“%(object)s” cannot go from “%(from)s” to “%(to)s”.")
            % {
                "object": obj,
                "from": obj.Status(stored).label,
                "to": obj.Status(status).label,
            },
            code="transition_not_allowed",
        )
    if status in obj.REASON_REQUIRED and not reason.strip():
        raise ValidationError(
            gettext("Tell the owner why: a reason is required."),
            code="reason_required",
        )


def decide(obj, status, *, by, reason="", notify=None, site_url="", validate=None):
    """Give obj the status as the user's decision, through the one decision path.

    Raises EditConflict when obj was saved elsewhere since it was loaded, and
    ValidationError when the decision is not allowed (see check_decision) or
    validate(obj) refuses it (e.g. a full outlet). notify(obj, site_url) queues
    the owner's email in the same transaction (sent by the worker once it
    commits, never for a decision rolled back). Returns obj, saved.
    """
    with transaction.atomic():
        check_version(obj, obj.version)
        check_decision(obj, status, reason)
        obj.record_decision(status, by=by, reason=reason.strip())
        if validate is not None:
            validate(obj)
        obj._history_user = by
        obj._deciding = True
        try:
            obj.save()
        finally:
            obj._deciding = False
        if notify is not None:
            notify(obj, site_url)
    return obj


def decide_new(obj, status, *, by, reason=""):
    """The user's decision on an object being created, recorded by its first save
    (in its history, as the user's): e.g. a business of the agency's own register
    verified as it is imported. Returns obj, not yet saved."""
    if obj.pk is not None:
        raise ValueError("decide_new() decides on new objects; use decide().")
    check_decision(obj, status, reason)
    obj.record_decision(status, by=by, reason=reason.strip())
    obj._history_user = by
    return obj


def decide_all(queryset, decision, *, by, ordering=("pk",), **kwargs):
    """Apply decision (one of the functions below) to every object of queryset in
    the ordering, all or nothing: the first refusal (including a row changed
    meanwhile) rolls back every decision made so far. Returns how many were
    decided."""
    count = 0
    rows = queryset.model._base_manager.filter(pk__in=queryset.values("pk"))
    with transaction.atomic():
        for obj in rows.order_by(*ordering):
            decision(obj, by=by, **kwargs)
            count += 1
    return count


# Businesses and products


def verify_certificates(product, by):
    """Record the staff member's check of the product's certificates not yet
    checked (approving a product reviews what it claims)."""
    Certification.objects.filter(product=product, verified_at__isnull=True).update(
        verified_by=by, verified_at=timezone.now()
    )


def review(obj, status, *, by, reason="", site_url=""):
    """A Verifikator's decision on a business or product (verify, approve, reject,
    or take back); approving a product also verifies its certificates. The owner
    is emailed about a verification, approval or rejection."""

    def validate(obj):
        if isinstance(obj, Product) and status == Product.Status.APPROVED:
            verify_certificates(obj, by)

    return decide(
        obj,
        status,
        by=by,
        reason=reason,
        notify=notify_owner_of_review,
        site_url=site_url,
        validate=validate,
    )


def verify_business(business, *, by, reason="", site_url=""):
    """A Verifikator verifies the business: its approved products become public."""
    return review(
        business, Business.Status.VERIFIED, by=by, reason=reason, site_url=site_url
    )


def reject_business(business, *, by, reason, site_url=""):
    """A Verifikator rejects the business (or revokes its verification), telling
    the owner why."""
    return review(
        business, Business.Status.REJECTED, by=by, reason=reason, site_url=site_url
    )


def resubmit_business(business, *, by):
    """The owner sends a rejected business to verification again."""
    return decide(business, Business.Status.PENDING, by=by)


def approve_product(product, *, by, reason="", site_url=""):
    """A Verifikator approves the product and the certificates it shows."""
    return review(
        product, Product.Status.APPROVED, by=by, reason=reason, site_url=site_url
    )


def reject_product(product, *, by, reason, site_url=""):
    """A Verifikator rejects the product (or takes back its approval), telling the
    owner why."""
    return review(
        product, Product.Status.REJECTED, by=by, reason=reason, site_url=site_url
    )


def submit_product(product, *, by):
    """The owner sends a draft, rejected or withdrawn product for review."""
    return decide(product, Product.Status.PENDING, by=by)


def withdraw_product(product, *, by):
    """The owner takes a pending or approved product out of review and off the
    public catalogue."""
    return decide(product, Product.Status.WITHDRAWN, by=by)


# Proposed changes to reviewed claims


def accept_change(change, *, by, reason="", site_url=""):
    """A Verifikator accepts the owner's proposed change: the business or product
    takes the proposed values (certificates as checked by the staff member)."""

    def apply(change):
        # Runs inside decide()'s transaction, which keeps the target locked too.
        target = change.target
        type(target)._base_manager.select_for_update().filter(pk=target.pk).get()
        target.apply_proposal(change.proposed, by=by)
        target._history_user = by
        target._change_reason = gettext("Proposed change accepted")
        try:
            target.full_clean(exclude=["slug"], validate_constraints=True)
        except ValidationError as error:
            raise ValidationError(
                gettext("The change cannot be accepted: %(errors)s")
                % {"errors": " ".join(error.messages)},
                code="invalid_change",
            ) from error
        target.save()

    return decide(
        change,
        ProposedChange.Status.ACCEPTED,
        by=by,
        reason=reason,
        notify=notify_owner_of_change_decision,
        site_url=site_url,
        validate=apply,
    )


def reject_change(change, *, by, reason, site_url=""):
    """A Verifikator rejects the owner's proposed change, telling them why; the
    reviewed values stay."""
    return decide(
        change,
        ProposedChange.Status.REJECTED,
        by=by,
        reason=reason,
        notify=notify_owner_of_change_decision,
        site_url=site_url,
    )


def decide_change(change, status, *, by, reason="", site_url=""):
    """Accept or reject the proposed change (the admin change form's decision)."""
    decision = {
        ProposedChange.Status.ACCEPTED: accept_change,
        ProposedChange.Status.REJECTED: reject_change,
    }.get(status)
    if decision is None:
        return decide(change, status, by=by, reason=reason)
    return decision(change, by=by, reason=reason, site_url=site_url)
