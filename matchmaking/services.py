"""Every write of matchmaking: computing proposals, the coordinators' decisions,
the parties' answers. Scoring itself lives in matchmaking.engine."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import conflict, forbidden, invalid
from matchmaking import selectors
from matchmaking.engine import MatchEngine, ScoredMatch
from matchmaking.models import MatchRun, Proposal
from partners import permissions
from partners.models import Capability, Need
from partners.taxonomy_store import taxonomy_current

logger = logging.getLogger(__name__)

PROPOSALS_PER_NEED = 10
_engine_cache: dict[tuple, MatchEngine] = {}


def _fitted_engine() -> MatchEngine:
    """The engine over every open listing, refitted only when one of them changed."""
    stamp = selectors.corpus_stamp()
    engine = _engine_cache.get(stamp)
    if engine is None:
        engine = MatchEngine(taxonomy_current(), sister_cities=selectors.sister_city_pairs())
        engine.fit(selectors.listing_docs(Need), selectors.listing_docs(Capability))
        _engine_cache.clear()
        _engine_cache[stamp] = engine
    return engine


def _fields(match: ScoredMatch, rank: int, now) -> dict:
    return {
        "score": round(float(match.score), 6),
        "rank": rank,
        "contributions": {k: round(float(v), 6) for k, v in match.contributions.items()},
        "matched_topics": list(match.matched_topics),
        "reasons_en": list(match.reasons_en),
        "reasons_zh": list(match.reasons_zh),
        "computed_at": now,
    }


def _upsert(existing: Proposal | None, need_id: int, match: ScoredMatch, rank: int, now) -> Proposal | None:
    """Create or refresh one proposal; a decided one (approved, rejected) is never touched."""
    values = _fields(match, rank, now)
    if existing is None:
        return Proposal(need_id=need_id, capability_id=match.capability_id, **values)
    if existing.status in (Proposal.Status.APPROVED, Proposal.Status.REJECTED):
        return None
    if existing.status == Proposal.Status.WITHDRAWN:
        existing.resuggest()
    changed = [k for k, v in values.items() if k != "computed_at" and getattr(existing, k) != v]
    for key, value in values.items():
        setattr(existing, key, value)
    existing.save(update_fields=[*changed, "computed_at", "status", "updated_at"])
    return None


def _is_stale(proposal: Proposal) -> bool:
    # A suggestion that dropped out, that no party has answered, is simply removed.
    return proposal.status == Proposal.Status.SUGGESTED and not proposal.need_response and not proposal.capability_response


@transaction.atomic
def need_proposals_store(*, need_id: int, matches: list[ScoredMatch], only_capability: int | None = None) -> int:
    """Make a need's proposals what the engine says now. Locks the need so that
    concurrent jobs about it apply one after the other; idempotent.

    With `only_capability`, only that pair is refreshed (a capability changed)."""
    if not Need.objects.select_for_update().filter(pk=need_id).exists():
        return 0
    now = timezone.now()
    scope = Proposal.objects.select_for_update().filter(need_id=need_id)
    if only_capability is not None:
        scope = scope.filter(capability_id=only_capability)
    existing = {p.capability_id: p for p in scope}
    new = []
    for rank, match in enumerate(matches, start=1):
        created = _upsert(existing.pop(match.capability_id, None), need_id, match, rank, now)
        if created is not None:
            new.append(created)
    Proposal.objects.bulk_create(new)
    stale = [p.pk for p in existing.values() if _is_stale(p)]
    Proposal.objects.filter(pk__in=stale).delete()
    return len(matches)


def _withdraw_open(*, field: str, listing_id: int) -> int:
    return Proposal.objects.filter(**{field: listing_id}, status=Proposal.Status.SUGGESTED).update(
        status=Proposal.Status.WITHDRAWN, updated_at=timezone.now()
    )


def listing_rematch(*, kind: str, listing_id: int) -> int:
    """Recompute one listing's proposals against the other side; a listing no longer
    published has its open proposals withdrawn. Safe to run any number of times."""
    model = Need if kind == "need" else Capability
    listing = model.objects.select_related("organisation").filter(pk=listing_id).first()
    if listing is None or not listing.is_published or not listing.organisation.is_verified:
        return _withdraw_open(field=kind, listing_id=listing_id)
    engine = _fitted_engine()
    doc = selectors.listing_docs(model, pks=[listing_id])[0]
    if kind == "need":
        return need_proposals_store(need_id=listing_id, matches=engine.top_for_need(doc, k=PROPOSALS_PER_NEED))
    stored = 0
    matches = engine.top_for_capability(doc, k=PROPOSALS_PER_NEED)
    for match in sorted(matches, key=lambda m: m.need_id):  # a fixed lock order
        stored += need_proposals_store(need_id=match.need_id, matches=[match], only_capability=listing_id)
    matched = {m.need_id for m in matches}
    dropped = Proposal.objects.filter(capability_id=listing_id, status=Proposal.Status.SUGGESTED).exclude(need_id__in=matched)
    dropped.filter(need_response="", capability_response="").delete()
    return stored


# --- Full rematch -------------------------------------------------------------


@transaction.atomic
def matching_run_request(*, by) -> MatchRun:
    """A coordinator asks for a full rematch; it runs in the worker."""
    if not permissions.is_coordinator(by):
        raise forbidden(_("Only coordinators start a full rematch."))
    if MatchRun.objects.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists():
        raise conflict(_("A full rematch is already running; wait for it to finish."))
    run = MatchRun.objects.create(requested_by=by)
    from core.queue import enqueue_on_commit
    from matchmaking.tasks import run_full_rematch

    enqueue_on_commit(run_full_rematch, run.pk)
    return run


def _claim(run_id: int) -> bool:
    """Queued → running, or a running one whose worker died (a rerun redoes it all: idempotent)."""
    return bool(
        MatchRun.objects.filter(pk=run_id, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).update(
            status=MatchRun.Status.RUNNING, started_at=timezone.now(), processed=0
        )
    )


def matching_run_execute(*, run_id: int, chunk: int = 200) -> MatchRun | None:
    if not _claim(run_id):
        return None  # already finished by another delivery of the same task
    try:
        stored = _rematch_all(progress=lambda done, total: MatchRun.objects.filter(pk=run_id).update(processed=done, total=total))
    except Exception as exc:
        MatchRun.objects.filter(pk=run_id).update(status=MatchRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    MatchRun.objects.filter(pk=run_id).update(status=MatchRun.Status.DONE, proposals=stored, finished_at=timezone.now())
    return MatchRun.objects.get(pk=run_id)


def _rematch_all(*, progress=None) -> int:
    engine = _fitted_engine()
    needs = selectors.listing_docs(Need)
    open_need_ids = {n.id for n in needs}
    stored = done = 0
    for need_id, matches in engine.all_top(k=PROPOSALS_PER_NEED):
        stored += need_proposals_store(need_id=need_id, matches=matches)
        done += 1
        if progress and (done % 50 == 0 or done == len(needs)):
            progress(done, len(needs))
    # Listings closed since the last run lose their open proposals.
    Proposal.objects.filter(status=Proposal.Status.SUGGESTED).exclude(need_id__in=open_need_ids).update(
        status=Proposal.Status.WITHDRAWN
    )
    open_caps = selectors.open_listings(Capability).values("pk")
    Proposal.objects.filter(status=Proposal.Status.SUGGESTED).exclude(capability_id__in=open_caps).update(
        status=Proposal.Status.WITHDRAWN
    )
    return stored


def matching_run_sync() -> tuple[int, float]:
    """Compute every proposal in this process (no worker): (proposals stored, seconds)."""
    started = time.perf_counter()
    stored = _rematch_all()
    return stored, time.perf_counter() - started


# --- Decisions ----------------------------------------------------------------


def _locked_open(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_open:
        raise conflict(_("This proposal is no longer open (it is %(status)s).") % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def proposal_approve(*, proposal: Proposal, by) -> Proposal:
    """A coordinator approves: the match becomes exactly one project, both parties are told."""
    from projects.services import project_create_from_proposal

    if not permissions.is_coordinator(by):
        raise forbidden(_("Only coordinators approve proposals."))
    proposal = _locked_open(proposal)
    proposal.approve()
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    project_create_from_proposal(proposal=proposal, by=by)
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, by, reason: str) -> Proposal:
    if not permissions.is_coordinator(by):
        raise forbidden(_("Only coordinators reject proposals."))
    reason = (reason or "").strip()
    if not reason:
        raise invalid(_("Give a reason for the rejection."), field="reason")
    proposal = _locked_open(proposal)
    proposal.reject(reason)
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    return proposal


@transaction.atomic
def proposals_reject_bulk(*, proposal_ids: Iterable[int], by, reason: str) -> int:
    """Reject many at once; those no longer open are left as they are."""
    if not permissions.is_coordinator(by):
        raise forbidden(_("Only coordinators reject proposals."))
    reason = (reason or "").strip()
    if not reason:
        raise invalid(_("Give a reason for the rejection."), field="reason")
    return Proposal.objects.filter(pk__in=list(proposal_ids), status=Proposal.Status.SUGGESTED).update(
        status=Proposal.Status.REJECTED, rejection_reason=reason, decided_by=by, decided_at=timezone.now(),
        updated_at=timezone.now(),
    )


@transaction.atomic
def proposal_respond(*, proposal: Proposal, by, response: str) -> Proposal:
    """A party marks interest in a proposal about its listing, or declines it."""
    if response not in (Proposal.Response.INTERESTED, Proposal.Response.DECLINED):
        raise invalid(_("Answer “interested” or “declined”."), field="response")
    proposal = Proposal.objects.select_for_update().select_related("need", "capability").get(pk=proposal.pk)
    sides = []
    for field, listing in (("need_response", proposal.need), ("capability_response", proposal.capability)):
        membership = permissions.membership_of(by, listing.organisation)
        if membership is not None and membership.can_act:
            sides.append(field)
    if not sides:
        raise forbidden(_("Only the organisations concerned answer a proposal."))
    if not proposal.is_open:
        raise conflict(_("This proposal is no longer open (it is %(status)s).") % {"status": proposal.get_status_display()})
    for field in sides:
        setattr(proposal, field, response)
    proposal.save(update_fields=[*sides, "updated_at"])
    return proposal
