"""Every write about organisations and memberships. Each function is one transaction."""
from __future__ import annotations

from datetime import timedelta

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
    # An empty logo field means "keep the current one", not "remove it".
    changes = {f: v for f, v in changes.items() if f != "logo" or v}
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in changes.items():
        setattr(organisation, field, value.strip() if field in ("name", "city") and isinstance(value, str) else value)
    _check_fields(
        name=organisation.name,
        country=organisation.country,
        kind=organisation.kind,
        description_language=organisation.description_language,
        exclude_pk=organisation.pk,
    )
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*changes, "updated_at"])
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


# --- Needs and capabilities -------------------------------------------------

LISTING_DEFAULT_LIFETIME_DAYS = 365
NEED_FIELDS = ("budget_min_eur", "budget_max_eur", "wanted_start", "stage", "population_served")
CAPABILITY_FIELDS = ("capability_type", "maturity", "references", "price_min_eur", "price_max_eur")
_DEFAULTED_FIELDS = ("stage", "capability_type", "language", "audience", "references", "city", "country")
LISTING_FIELDS = ("title", "description", "language", "city", "country", "audience", "expires_on")


def listing_model(kind: str):
    from partners.models import Capability, Need

    try:
        return {"need": Need, "capability": Capability}[kind]
    except KeyError:
        raise invalid(_("“%(kind)s” is neither a need nor a capability.") % {"kind": kind})


def listing_kind(listing) -> str:
    from partners.models import Need

    return "need" if isinstance(listing, Need) else "capability"


def _listing_fields(kind: str) -> tuple[str, ...]:
    return LISTING_FIELDS + (NEED_FIELDS if kind == "need" else CAPABILITY_FIELDS)


def _check_listing(listing) -> None:
    """Rules a form cannot see alone: ranges ordered, a known language and place."""
    low, high = ("budget_min_eur", "budget_max_eur") if listing_kind(listing) == "need" else ("price_min_eur", "price_max_eur")
    if getattr(listing, low) is not None and getattr(listing, high) is not None and getattr(listing, low) > getattr(listing, high):
        raise invalid(_("The lower bound of the range is above its upper bound."), field=low)
    if listing.language not in CONTENT_LANGUAGE_CODES:
        raise invalid(_("Unknown language tag “%(tag)s”.") % {"tag": listing.language}, field="language")
    if listing.country and listing.country not in BY_CODE:
        raise invalid(_("“%(code)s” is not China or a CEE country of the mechanism.") % {"code": listing.country}, field="country")
    maturity = getattr(listing, "maturity", None)
    if maturity is not None and not 1 <= maturity <= 9:
        raise invalid(_("Maturity is a technology readiness level from 1 to 9."), field="maturity")
    if not listing.title.strip():
        raise invalid(_("A title is required."), field="title")


def _suggest_topics(listing) -> list[str]:
    from partners.taxonomy_store import current_tagger

    return current_tagger().tag(listing.title, listing.description)


def _apply_topics(listing, *, topics, previous_suggestions: list[str] | None) -> None:
    """The author's choice wins; without one, the tagger's suggestion (already in
    `suggested_topics`) is applied, but only while the author has not changed the
    topics it proposed before."""
    from partners.models import Topic

    if topics is not None:
        listing.topics.set(list(topics))
        return
    current = sorted(listing.topics.values_list("code", flat=True))
    if previous_suggestions is None or current == sorted(previous_suggestions):
        listing.topics.set(Topic.objects.filter(code__in=listing.suggested_topics))


def _enqueue_matching(listing) -> None:
    from matchmaking.hooks import listing_changed

    listing_changed(listing)


@transaction.atomic
def listing_create(*, kind: str, organisation: Organisation, by, topics=None, **data):
    """A member drafts a need or a capability for a verified organisation."""
    if not permissions.can_post_for(by, organisation):
        raise forbidden(_("Only members of a verified organisation may post for it."))
    model = listing_model(kind)
    unknown = set(data) - set(_listing_fields(kind))
    if unknown:
        raise invalid(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    # A field left empty takes the model's default rather than NULL.
    data = {k: v for k, v in data.items() if v is not None or k not in _DEFAULTED_FIELDS}
    if not data.get("expires_on"):
        data["expires_on"] = timezone.localdate() + timedelta(days=LISTING_DEFAULT_LIFETIME_DAYS)
    listing = model(organisation=organisation, created_by=by, **data)
    _check_listing(listing)
    listing.suggested_topics = _suggest_topics(listing)
    listing.save()
    _apply_topics(listing, topics=topics, previous_suggestions=None)
    return listing


@transaction.atomic
def listing_update(*, listing, by, topics=None, **changes):
    if not permissions.can_edit_listing(by, listing):
        raise forbidden(_("Only members of the organisation that posted it may change it."))
    kind = listing_kind(listing)
    unknown = set(changes) - set(_listing_fields(kind))
    if unknown:
        raise invalid(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == listing.Status.CLOSED:
        raise conflict(_("A closed listing can no longer be changed."))
    previous_suggestions = list(listing.suggested_topics)
    for field, value in changes.items():
        setattr(listing, field, value)
    if not listing.expires_on:
        raise invalid(_("An expiry date is required."), field="expires_on")
    _check_listing(listing)
    listing.suggested_topics = _suggest_topics(listing)
    listing.save(update_fields=[*changes, "suggested_topics", "updated_at"])
    _apply_topics(listing, topics=topics, previous_suggestions=previous_suggestions)
    if listing.is_published:
        _enqueue_matching(listing)
    return listing


@transaction.atomic
def listing_publish(*, listing, by):
    if not permissions.can_edit_listing(by, listing):
        raise forbidden(_("Only members of the organisation that posted it may publish it."))
    listing = type(listing).objects.select_for_update().select_related("organisation").get(pk=listing.pk)
    if not listing.organisation.is_verified:
        raise conflict(_("The organisation must be verified before its listings can be published."))
    if listing.status != listing.Status.DRAFT:
        raise conflict(_("Only a draft can be published (this one is %(status)s).") % {"status": listing.get_status_display()})
    if listing.expires_on < timezone.localdate():
        raise invalid(_("The expiry date has passed: choose a later one first."), field="expires_on")
    listing.publish()
    listing.published_at = timezone.now()
    listing.save(update_fields=["status", "published_at", "updated_at"])
    _enqueue_matching(listing)
    return listing


def _close(listing) -> None:
    listing.close()
    listing.closed_at = timezone.now()
    listing.save(update_fields=["status", "closed_at", "updated_at"])
    _enqueue_matching(listing)


@transaction.atomic
def listing_close(*, listing, by):
    if not permissions.can_edit_listing(by, listing):
        raise forbidden(_("Only members of the organisation that posted it may close it."))
    listing = type(listing).objects.select_for_update().get(pk=listing.pk)
    if listing.status == listing.Status.CLOSED:
        raise conflict(_("This listing is already closed."))
    _close(listing)
    return listing


@transaction.atomic
def listings_close_expired(*, today=None) -> int:
    """Close every published listing past its expiry date and tell its organisation's admins.
    Safe to run twice: what is closed is no longer published."""
    from partners.models import Capability, Need

    today = today or timezone.localdate()
    closed = 0
    for model in (Need, Capability):
        expired = model.objects.select_for_update(skip_locked=True).filter(
            status=model.Status.PUBLISHED, expires_on__lt=today
        ).select_related("organisation")
        for listing in expired:
            _close(listing)
            email_send_template(
                to=_admin_emails(listing.organisation),
                template="partners/email/listing_expired",
                context={"listing": listing, "organisation": listing.organisation},
            )
            closed += 1
    return closed
