"""Proposal pages: the coordinators' queue (htmx, in place), the parties' list, full rematch."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.views import raise_or_flash
from matchmaking import selectors, services
from matchmaking.forms import BulkRejectForm, QueueFilterForm, RejectProposalForm
from matchmaking.models import MatchRun, Proposal
from partners.views import coordinator_required

QUEUE_PAGE_SIZE = 25


@coordinator_required
def review_queue(request):
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.proposal_queue(filters=filters), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "matchmaking/queue.html", {"form": form, "page": page, "query": query.urlencode()})


@coordinator_required
def proposal_detail(request, pk: int):
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    return render(request, "matchmaking/proposal_detail.html", {"proposal": proposal, "reject_form": RejectProposalForm()})


def _row_or_redirect(request, proposal: Proposal, error: DomainError | None = None):
    """htmx swaps the queue row in place; without htmx, back to where one came from."""
    if request.htmx:
        proposal = selectors.proposal_get_for_user(user=request.user, pk=proposal.pk)
        return render(request, "matchmaking/_queue_row.html", {"proposal": proposal, "row_error": error.message if error else ""})
    if error:
        raise_or_flash(request, error)
    return redirect(request.POST.get("next") or "matchmaking:review_queue")


@coordinator_required
@require_POST
def proposal_approve(request, pk: int):
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    try:
        proposal = services.proposal_approve(proposal=proposal, by=request.user)
    except DomainError as error:
        return _row_or_redirect(request, proposal, error)
    if request.htmx:
        return _row_or_redirect(request, proposal)
    messages.success(request, _("Approved: the match is now a project."))
    return redirect(proposal.project)


@coordinator_required
@require_POST
def proposal_reject(request, pk: int):
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    form = RejectProposalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        proposal = services.proposal_reject(proposal=proposal, by=request.user, reason=reason)
    except DomainError as error:
        return _row_or_redirect(request, proposal, error)
    return _row_or_redirect(request, proposal)


@coordinator_required
@require_POST
def proposals_reject_bulk(request):
    form = BulkRejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the proposals to reject and give a reason."))
    else:
        count = services.proposals_reject_bulk(
            proposal_ids=[p.pk for p in form.cleaned_data["proposals"]], by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("%(count)d proposals rejected.") % {"count": count})
    return redirect(request.POST.get("next") or "matchmaking:review_queue")


@coordinator_required
def matching_status(request):
    run = MatchRun.objects.order_by("-created_at").first()
    template = "matchmaking/_run_status.html" if request.htmx else "matchmaking/matching.html"
    return render(request, template, {"run": run})


@coordinator_required
@require_POST
def matching_start(request):
    try:
        services.matching_run_request(by=request.user)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Full rematch started."))
    return redirect("matchmaking:matching_status")


@login_required
def my_proposals(request):
    proposals = selectors.proposal_list_for_user(user=request.user).exclude(status=Proposal.Status.WITHDRAWN)
    page = Paginator(proposals, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "matchmaking/my_proposals.html", {"page": page, "query": ""})


@login_required
@require_POST
def proposal_respond(request, pk: int):
    proposal = selectors.proposal_get_for_user(user=request.user, pk=pk)
    try:
        services.proposal_respond(proposal=proposal, by=request.user, response=request.POST.get("response", ""))
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Your answer was recorded."))
    return redirect(request.POST.get("next") or "matchmaking:my_proposals")
