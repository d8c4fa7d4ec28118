"""Every write about organisations and memberships. Each function is one transaction."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.services import email_send_template
from core.exceptions import conflict, forbidden, invalid
from partners import permissions
from partners.countries import BY_CODE
from partners.languages import CONTENT_LANGUAGE_CODES
from partners.models import Membership, Organisation

EDITABLE_FIELDS = ("name", "kind", "country", "city", "website", "description", "description_language", "logo", "size")


def _unique_slug(name: str, country: str) -> str:
    base = slugify(f"{name}-{country}")[:200] or f"organisation-{country.lower()}"
    slug, counter = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _check_fields(*, name: str, country: str, kind: str, description_language: str, exclude_pk: int | None) -> None:
    if not name.strip():
        raise invalid(_("An organisation needs a name."), field="name")
    if country not in BY_CODE:
        raise invalid(_("“%(code)s” is not China or a CEE country of the mechanism.") % {"code": country}, field="country")
    if kind not in Organisation.Kind.values:
        raise invalid(_("“%(kind)s” is not a kind of organisation.") % {"kind": kind}, field="kind")
    if description_language not in CONTENT_LANGUAGE_CODES:
        raise invalid(_("Unknown language tag “%(tag)s”.") % {"tag": description_language}, field="description_language")
    duplicates = Organisation.objects.filter(name__iexact=name.strip(), country=country)
    if exclude_pk:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        raise conflict(_("An organisation with this name is already registered in this country."), field="name")


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        organisation.memberships.filter(role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE).values_list(
            "user__email", flat=True
        )
    )


@transaction.atomic
def organisation_create(
    *,
    by,
    name: str,
    kind: str,
    country: str,
    city: str,
    website: str = "",
    description: str = "",
    description_language: str = "en",
    logo=None,
    size: str = "",
) -> Organisation:
    """Register an organisation; its creator becomes its admin. It waits for a coordinator."""
    name = name.strip()
    _check_fields(name=name, country=country, kind=kind, description_language=description_language, exclude_pk=None)
    organisation = Organisation(
        name=name,
        slug=_unique_slug(name, country),
        kind=kind,
        country=country,
        city=city.strip(),
        website=website,
        description=description,
        description_language=description_language,
        size=size,
        created_by=by,
    )
    if logo:
        organisation.logo = logo
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        # Two registrations raced past the duplicate check: the constraint decides.
        raise conflict(_("An organisation with this name is already registered in this country."), field="name")
    Membership.objects.create(
        user=by, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE
    )
    if by.acting_organisation_id is None:
        by.acting_organisation = organisation
        by.save(update_fields=["acting_organisation"])
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, by, **changes) -> Organisation:
    if not permissions.can_edit_organisation(by, organisation):
        raise forbidden(_("Only the organisation's administrators may edit it."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        if field == "logo" and not value:
            continue
        setattr(organisation, field, value.strip() if isinstance(value, str) and field in ("name", "city") else value)
    _check_fields(
        name=organisation.name,
        country=organisation.country,
        kind=organisation.kind,
        description_language=organisation.description_language,
        exclude_pk=organisation.pk,
    )
    try:
        with transaction.atomic():
            organisation.save(update_fields=[f for f in changes if f != "logo" or changes[f]] + ["updated_at"])
    except IntegrityError:
        raise conflict(_("An organisation with this name is already registered in this country."), field="name")
    return organisation


def _locked_for_review(organisation: Organisation, by) -> Organisation:
    if not permissions.can_review_organisations(by):
        raise forbidden(_("Only coordinators may review organisations."))
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.status != Organisation.Status.PENDING:
        raise conflict(
            _("This organisation is no longer waiting for review (it is %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def organisation_verify(*, organisation: Organisation, by) -> Organisation:
    organisation = _locked_for_review(organisation, by)
    organisation.verify()
    organisation.reviewed_by, organisation.reviewed_at = by, timezone.now()
    organisation.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"])
    email_send_template(
        to=_admin_emails(organisation), template="partners/email/organisation_verified", context={"organisation": organisation}
    )
    return organisation


@transaction.atomic
def organisation_reject(*, organisation: Organisation, by, reason: str) -> Organisation:
    reason = (reason or "").strip()
    if not reason:
        raise invalid(_("Give the reason, so that the organisation's administrators can put it right."), field="reason")
    organisation = _locked_for_review(organisation, by)
    organisation.reject(reason)
    organisation.reviewed_by, organisation.reviewed_at = by, timezone.now()
    organisation.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at", "updated_at"])
    email_send_template(
        to=_admin_emails(organisation), template="partners/email/organisation_rejected", context={"organisation": organisation}
    )
    return organisation


@transaction.atomic
def organisation_resubmit(*, organisation: Organisation, by) -> Organisation:
    """After a rejection, an admin who has put things right asks for review again."""
    if not permissions.can_edit_organisation(by, organisation):
        raise forbidden(_("Only the organisation's administrators may ask for another review."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.REJECTED:
        raise conflict(_("Only a rejected organisation can be submitted for review again."))
    organisation.resubmit()
    organisation.save(update_fields=["status", "updated_at"])
    return organisation


@transaction.atomic
def membership_request(*, organisation: Organisation, user, message: str = "") -> Membership:
    """A signed-in user asks to join a verified organisation; its admins decide."""
    if not organisation.is_verified:
        raise conflict(_("You can ask to join an organisation once it has been verified."))
    membership = Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    if membership is not None:
        if membership.status == Membership.Status.ACTIVE:
            raise conflict(_("You are already a member of this organisation."))
        if membership.status == Membership.Status.REQUESTED:
            raise conflict(_("You have already asked to join; its administrators have not decided yet."))
        membership.status, membership.message, membership.role = Membership.Status.REQUESTED, message, Membership.Role.MEMBER
        membership.decided_by, membership.decided_at = None, None
        membership.save(update_fields=["status", "message", "role", "decided_by", "decided_at", "updated_at"])
    else:
        membership = Membership.objects.create(user=user, organisation=organisation, message=message)
    email_send_template(
        to=_admin_emails(organisation),
        template="partners/email/membership_requested",
        context={"organisation": organisation, "membership": membership},
    )
    return membership


def _locked_for_decision(membership: Membership, by) -> Membership:
    if not permissions.can_manage_members(by, membership.organisation):
        raise forbidden(_("Only the organisation's administrators decide who joins."))
    locked = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    if locked.status != Membership.Status.REQUESTED:
        raise conflict(_("This request has already been decided."))
    return locked


@transaction.atomic
def membership_accept(*, membership: Membership, by) -> Membership:
    membership = _locked_for_decision(membership, by)
    membership.status, membership.decided_by, membership.decided_at = Membership.Status.ACTIVE, by, timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    user = membership.user
    if user.acting_organisation_id is None:
        user.acting_organisation = membership.organisation
        user.save(update_fields=["acting_organisation"])
    email_send_template(
        to=[user.email], template="partners/email/membership_accepted", context={"membership": membership}
    )
    return membership


@transaction.atomic
def membership_decline(*, membership: Membership, by) -> Membership:
    membership = _locked_for_decision(membership, by)
    membership.status, membership.decided_by, membership.decided_at = Membership.Status.DECLINED, by, timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    email_send_template(
        to=[membership.user.email], template="partners/email/membership_declined", context={"membership": membership}
    )
    return membership


def _other_active_admins(membership: Membership) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(organisation=membership.organisation, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, membership: Membership, by, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise invalid(_("“%(role)s” is not a role.") % {"role": role}, field="role")
    if not permissions.can_manage_members(by, membership.organisation):
        raise forbidden(_("Only the organisation's administrators change roles."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != Membership.Status.ACTIVE:
        raise conflict(_("Only an active member can be given a role."))
    if membership.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN and not _other_active_admins(membership):
        raise conflict(_("An organisation keeps at least one administrator: appoint another first."))
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> None:
    """An admin removes a member, or a member leaves."""
    leaving = membership.user_id == by.pk
    if not leaving and not permissions.can_manage_members(by, membership.organisation):
        raise forbidden(_("Only the organisation's administrators remove members."))
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.can_manage and not _other_active_admins(membership):
        raise conflict(_("An organisation keeps at least one administrator: appoint another first."))
    user = membership.user
    if user.acting_organisation_id == membership.organisation_id:
        user.acting_organisation = (
            Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE)
            .exclude(pk=membership.organisation_id)
            .first()
        )
        user.save(update_fields=["acting_organisation"])
    membership.delete()


@transaction.atomic
def user_set_acting_organisation(*, user, organisation: Organisation):
    membership = permissions.membership_of(user, organisation)
    if membership is None or not membership.is_active:
        raise forbidden(_("You can only act for an organisation you belong to."))
    user.acting_organisation = organisation
    user.save(update_fields=["acting_organisation"])
    return user
