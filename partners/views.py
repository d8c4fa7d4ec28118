"""Organisation and membership pages: parse input, call a service or selector, render."""
from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.views import add_domain_error, raise_or_flash
from partners import permissions, selectors, services
from partners.forms import (
    CapabilityForm,
    DirectoryFilterForm,
    JoinRequestForm,
    ListingFilterForm,
    NeedForm,
    OrganisationForm,
    RejectForm,
    RoleForm,
)
from matchmaking.selectors import proposals_for_listing
from partners.models import Topic

DIRECTORY_PAGE_SIZE = 12


def coordinator_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not permissions.is_coordinator(request.user):
            raise PermissionDenied(_("This page is for coordinators."))
        return view(request, *args, **kwargs)

    return wrapper


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.organisation_directory(filters=filters), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "partners/directory.html", {"form": form, "page": page, "query": query.urlencode()}
    )


def organisation_detail(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug)
    membership = permissions.membership_of(request.user, organisation)
    context = {
        "organisation": organisation,
        "membership": membership,
        "can_edit": permissions.can_edit_organisation(request.user, organisation),
        "can_view_private": permissions.can_view_private(request.user, organisation),
        "can_review": permissions.can_review_organisations(request.user),
        "join_form": JoinRequestForm(),
        "reject_form": RejectForm(),
    }
    if context["can_view_private"]:
        context["members"] = selectors.organisation_members(organisation=organisation)
    context.update(selectors.listings_of_organisation(organisation=organisation, user=request.user))
    return render(request, "partners/organisation_detail.html", context)


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Registered. A coordinator will verify your organisation soon."))
            return redirect(organisation)
    return render(request, "partners/organisation_form.html", {"form": form, "creating": True})


@login_required
def organisation_edit(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug, write=True)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            organisation = services.organisation_update(organisation=organisation, by=request.user, **changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(organisation)
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def organisation_resubmit(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug, write=True)
    try:
        services.organisation_resubmit(organisation=organisation, by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Submitted for review again."))
    return redirect(organisation)


@login_required
@require_POST
def organisation_join(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug)
    form = JoinRequestForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        services.membership_request(organisation=organisation, user=request.user, message=message)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Your request was sent to the organisation's administrators."))
    return redirect(organisation)


@coordinator_required
def review_queue(request):
    return render(
        request,
        "partners/review_queue.html",
        {"pending": selectors.organisation_review_queue(), "reject_form": RejectForm()},
    )


@coordinator_required
@require_POST
def organisation_verify(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug)
    try:
        services.organisation_verify(organisation=organisation, by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("%(name)s is verified and now public.") % {"name": organisation.name})
    return redirect(request.POST.get("next") or "partners:review_queue")


@coordinator_required
@require_POST
def organisation_reject(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason, so that the organisation's administrators can put it right."))
        return redirect("partners:review_queue")
    try:
        services.organisation_reject(organisation=organisation, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("%(name)s was rejected; its administrators see why.") % {"name": organisation.name})
    return redirect("partners:review_queue")


@login_required
def my_organisations(request):
    return render(
        request, "partners/my_organisations.html", {"memberships": selectors.user_organisations(user=request.user)}
    )


@login_required
@require_POST
def set_acting_organisation(request, slug: str):
    organisation = selectors.organisation_get_for_user(user=request.user, slug=slug)
    try:
        services.user_set_acting_organisation(user=request.user, organisation=organisation)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("You now act for %(name)s.") % {"name": organisation.name})
    return redirect(request.POST.get("next") or "partners:my_organisations")


def _membership_action(request, pk: int, action) -> "HttpResponse":  # noqa: F821
    membership = selectors.membership_get_for_user(user=request.user, pk=pk)
    try:
        action(membership)
    except DomainError as error:
        raise_or_flash(request, error)
    return redirect(membership.organisation)


@login_required
@require_POST
def membership_accept(request, pk: int):
    return _membership_action(request, pk, lambda m: services.membership_accept(membership=m, by=request.user))


@login_required
@require_POST
def membership_decline(request, pk: int):
    return _membership_action(request, pk, lambda m: services.membership_decline(membership=m, by=request.user))


@login_required
@require_POST
def membership_change_role(request, pk: int):
    form = RoleForm(request.POST)
    role = form.cleaned_data["role"] if form.is_valid() else request.POST.get("role", "")
    return _membership_action(
        request, pk, lambda m: services.membership_change_role(membership=m, by=request.user, role=role)
    )


@login_required
@require_POST
def membership_remove(request, pk: int):
    return _membership_action(request, pk, lambda m: services.membership_remove(membership=m, by=request.user))


# --- Needs and capabilities ---------------------------------------------------

LISTING_PAGE_SIZE = 20
LISTING_FORMS = {"need": NeedForm, "capability": CapabilityForm}


def _listing_context(kind: str) -> dict:
    return {"kind": kind, "kind_label": _("Needs") if kind == "need" else _("Capabilities")}


def listing_browse(request, kind: str):
    model = services.listing_model(kind)
    form = ListingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.listing_browse(model=model, filters=filters), LISTING_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "partners/listing_browse.html",
        {**_listing_context(kind), "form": form, "page": page, "query": query.urlencode()},
    )


def listing_detail(request, kind: str, pk: int):
    listing = selectors.listing_get_for_user(model=services.listing_model(kind), user=request.user, pk=pk)
    suggested = Topic.objects.filter(code__in=listing.suggested_topics).exclude(pk__in=listing.topics.all())
    can_edit = permissions.can_edit_listing(request.user, listing)
    return render(
        request, "partners/listing_detail.html",
        {
            **_listing_context(kind),
            "listing": listing,
            "topics": listing.topics.select_related("parent"),
            "other_suggestions": suggested,
            "can_edit": can_edit,
            "proposals": proposals_for_listing(listing=listing, user=request.user) if can_edit else [],
        },
    )


def _listing_changes(form) -> tuple[dict, object]:
    topics = form.cleaned_data["topics"] if "topics" in form.changed_data else None
    changes = {f: form.cleaned_data[f] for f in form.changed_data if f != "topics"}
    return changes, topics


@login_required
def listing_create(request, kind: str):
    organisation = request.user.acting_organisation
    if organisation is None or not permissions.can_post_for(request.user, organisation):
        messages.error(request, _("Act for a verified organisation you belong to before posting."))
        return redirect("partners:my_organisations")
    form = LISTING_FORMS[kind](request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {f: v for f, v in form.cleaned_data.items() if f != "topics"}
        topics = form.cleaned_data["topics"] or None
        try:
            listing = services.listing_create(kind=kind, organisation=organisation, by=request.user, topics=topics, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved as a draft. Check the topics, then publish it."))
            return redirect(listing)
    return render(
        request, "partners/listing_form.html",
        {**_listing_context(kind), "form": form, "organisation": organisation, "creating": True},
    )


@login_required
def listing_edit(request, kind: str, pk: int):
    listing = selectors.listing_get_for_user(model=services.listing_model(kind), user=request.user, pk=pk, write=True)
    form = LISTING_FORMS[kind](request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        changes, topics = _listing_changes(form)
        try:
            listing = services.listing_update(listing=listing, by=request.user, topics=topics, **changes)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(listing)
    return render(
        request, "partners/listing_form.html",
        {**_listing_context(kind), "form": form, "listing": listing, "organisation": listing.organisation},
    )


def _listing_action(request, kind: str, pk: int, action, done: str):
    listing = selectors.listing_get_for_user(model=services.listing_model(kind), user=request.user, pk=pk)
    try:
        listing = action(listing=listing, by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, done)
    return redirect(listing)


@login_required
@require_POST
def listing_publish(request, kind: str, pk: int):
    return _listing_action(request, kind, pk, services.listing_publish, _("Published."))


@login_required
@require_POST
def listing_close(request, kind: str, pk: int):
    return _listing_action(request, kind, pk, services.listing_close, _("Closed."))


def taxonomy(request):
    from partners.taxonomy import shipped_taxonomy

    data = shipped_taxonomy()
    return render(
        request, "partners/taxonomy.html",
        {"domains": selectors.taxonomy_tree(), "version": data.version, "sources": data.sources},
    )
