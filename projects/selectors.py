"""Reads for the project pages and API, scoped to who asks, in a bounded number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from partners.models import Membership
from partners.permissions import is_coordinator
from projects import charts, workflow
from projects import permissions as rules
from projects.models import (
    KPI,
    Agreement,
    AgreementApproval,
    AgreementSignature,
    AgreementVersion,
    AuditEvent,
    KPIMeasurement,
    Milestone,
    Project,
    ProjectParty,
)


def _my_organisations(user):
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("organisation_id")


def _visible_projects(user) -> QuerySet[Project]:
    if is_coordinator(user):
        return Project.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return Project.objects.filter(
        pk__in=ProjectParty.objects.filter(
            organisation_id__in=_my_organisations(user), status__in=rules.PRESENT_STATUSES
        ).values("project_id")
    )


def project_get_for_user(*, user, pk: int, write: bool = False) -> Project:
    """The project, or 404 for someone who is neither a party's member nor a coordinator."""
    project = (
        Project.objects.select_related("proposal__need__organisation", "proposal__capability__organisation")
        .filter(pk=pk).first()
    )
    if project is None or not rules.can_view_project(user, project):
        raise Http404(_("No such project."))
    if write and not rules.can_edit_project(user, project):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the lead and the coordinators change a project's details."))
    return project


def project_list_for_user(*, user) -> QuerySet[Project]:
    parties = ProjectParty.objects.select_related("organisation").order_by("role", "organisation__name")
    return _visible_projects(user).prefetch_related(Prefetch("parties", queryset=parties)).order_by("-created_at")


def project_public_get(*, pk: int) -> Project:
    project = Project.objects.filter(pk=pk, is_public=True).prefetch_related(
        Prefetch("parties", queryset=ProjectParty.objects.filter(status=ProjectParty.Status.ACCEPTED)
                 .select_related("organisation")), "topics",
    ).first()
    if project is None:
        raise Http404(_("No such project."))
    return project


def project_public_list() -> QuerySet[Project]:
    return Project.objects.filter(is_public=True).prefetch_related(
        Prefetch("parties", queryset=ProjectParty.objects.filter(status=ProjectParty.Status.ACCEPTED)
                 .select_related("organisation"))
    ).order_by("-created_at")


def project_timeline(*, project: Project) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(project=project).select_related("actor", "organisation", "agreement").order_by(
        "created_at", "pk"
    )


@dataclass
class Action:
    """A button: a transition the user may fire now, with what its form needs."""

    name: str
    label: str
    comment: str
    danger: bool
    form: str
    organisations: list = field(default_factory=list)  # for approvals and signatures: whom for


def actions_for(instance, user) -> list[Action]:
    return [
        Action(t.name, str(t.custom["label"]), t.custom["comment"], t.custom["danger"], t.custom["form"])
        for t in workflow.available(instance, user)
    ]


def project_detail(*, project: Project, user) -> dict:
    """Everything the project page shows, in a number of queries that does not grow with its rows."""
    parties = list(project.parties.select_related("organisation").order_by("role", "organisation__name"))
    # The party rows point back at this very instance: the rules read its cached seats.
    for party in parties:
        party.project = project
    project._prefetched_objects_cache = {"parties": parties}
    agreements = list(project.agreements.order_by("created_at", "pk"))
    kpis = list(project.kpis.prefetch_related(
        Prefetch("measurements", queryset=KPIMeasurement.objects.order_by("measured_on"))
    ))
    seats = {s.organisation_id: s for s in rules.seats(user, project)}
    return {
        "project": project,
        "parties": [(p, [a for a in actions_for(p, user)], seats.get(p.organisation_id)) for p in parties],
        "topics": list(project.topics.all()),
        "agreements": agreements,
        "milestones": list(project.milestones.select_related("agreement")),
        "kpis": [(kpi, charts.kpi_chart(kpi, list(kpi.measurements.all()))) for kpi in kpis],
        "events": list(project_timeline(project=project)),
        "stage_actions": actions_for(project, user),
        "history": list(project.history.select_related("history_user").order_by("-history_date")[:50]),
        "can_work": rules.can_work_on_project(user, project),
        "can_edit": rules.can_edit_project(user, project) and not project.is_over,
        "can_manage_parties": rules.can_manage_parties(user, project) and not project.is_over,
    }


def agreement_get_for_user(*, user, pk: int) -> Agreement:
    agreement = Agreement.objects.select_related("project").filter(pk=pk).first()
    if agreement is None or not rules.can_view_project(user, agreement.project):
        raise Http404(_("No such agreement."))
    return agreement


def agreement_list_for_user(*, user) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(project__in=_visible_projects(user)).select_related("project")
        .prefetch_related(
            Prefetch("approvals", queryset=AgreementApproval.objects.select_related("organisation")),
            Prefetch("signatures", queryset=AgreementSignature.objects.select_related("organisation")),
        )
        .order_by("-created_at", "-pk")
    )


def agreement_actions(*, agreement: Agreement, user) -> list[Action]:
    """The transitions `user` may fire now; approving and signing only for an organisation
    that has not yet done so for this version."""
    actions = actions_for(agreement, user)
    pending = {
        "approval": _pending(agreement, user, AgreementApproval),
        "signature": _pending(agreement, user, AgreementSignature),
    }
    kept = []
    for action in actions:
        if action.form in pending:
            if not pending[action.form]:
                continue
            action.organisations = pending[action.form]
        kept.append(action)
    return kept


def _pending(agreement: Agreement, user, model) -> list:
    mine = rules.signing_organisations(user, agreement.project)
    if not mine:
        return []
    done = set(model.objects.filter(agreement=agreement, version=agreement.version).values_list("organisation_id", flat=True))
    from partners.models import Organisation

    return list(Organisation.objects.filter(pk__in=[o for o in mine if o not in done]).order_by("name"))


def agreement_detail(*, agreement: Agreement, user) -> dict:
    project = agreement.project
    parties = list(
        project.parties.filter(status=ProjectParty.Status.ACCEPTED, role__in=rules.SIGNING_ROLES)
        .select_related("organisation").order_by("role", "organisation__name")
    )
    approvals = list(agreement.approvals.select_related("organisation", "approved_by"))
    signatures = list(agreement.signatures.select_related("organisation", "recorded_by"))
    current = agreement.version
    approved = {a.organisation_id: a for a in approvals if a.version == current}
    signed = {s.organisation_id: s for s in signatures if s.version == current}
    return {
        "agreement": agreement,
        "project": project,
        "parties": [(p, approved.get(p.organisation_id), signed.get(p.organisation_id)) for p in parties],
        "versions": list(agreement.versions.select_related("created_by", "organisation")),
        "approvals": approvals,
        "signatures": signatures,
        "actions": agreement_actions(agreement=agreement, user=user),
        "events": list(project_timeline(project=project).filter(agreement=agreement)),
        "history": _history_changes(agreement),
        "milestones": list(agreement.milestones.all()),
        "can_edit": agreement.is_editable and rules.can_work_on_project(user, project),
    }


def _history_changes(agreement: Agreement) -> list[dict]:
    """Field history, newest first: which fields each save changed, from what to what."""
    records = list(agreement.history.select_related("history_user").order_by("history_date", "history_id"))
    changes = []
    for older, newer in zip([None, *records], records):
        if older is None:
            fields = []
        else:
            delta = newer.diff_against(older, excluded_fields=["text", "document"])
            fields = [(c.field, c.old, c.new) for c in delta.changes]
            if newer.text != older.text:
                fields.append(("text", _("(changed)"), ""))
        changes.append({"record": newer, "fields": fields})
    return list(reversed(changes))


def agreement_version_get_for_user(*, user, pk: int) -> AgreementVersion:
    version = AgreementVersion.objects.select_related("agreement__project").filter(pk=pk).first()
    if version is None or not version.document or not rules.can_view_project(user, version.agreement.project):
        raise Http404(_("No such document."))
    return version


def agreement_versions_for_user(*, user) -> QuerySet[AgreementVersion]:
    return AgreementVersion.objects.filter(agreement__project__in=_visible_projects(user)).select_related(
        "agreement", "created_by", "organisation"
    ).order_by("agreement_id", "-number")


def signature_get_for_user(*, user, pk: int) -> AgreementSignature:
    signature = AgreementSignature.objects.select_related("agreement__project", "organisation").filter(pk=pk).first()
    if signature is None or not rules.can_view_project(user, signature.agreement.project):
        raise Http404(_("No such signature."))
    return signature


def signature_list_for_user(*, user) -> QuerySet[AgreementSignature]:
    return AgreementSignature.objects.filter(agreement__project__in=_visible_projects(user)).select_related(
        "organisation", "recorded_by"
    ).order_by("agreement_id", "created_at")


def party_get_for_user(*, user, pk: int) -> ProjectParty:
    party = ProjectParty.objects.select_related("project", "organisation").filter(pk=pk).first()
    if party is None or not rules.can_view_project(user, party.project):
        raise Http404(_("No such party."))
    return party


def party_list_for_user(*, user) -> QuerySet[ProjectParty]:
    return ProjectParty.objects.filter(project__in=_visible_projects(user)).select_related("organisation").order_by(
        "project_id", "role", "organisation__name"
    )


def milestone_get_for_user(*, user, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("project").filter(pk=pk).first()
    if milestone is None or not rules.can_view_project(user, milestone.project):
        raise Http404(_("No such milestone."))
    return milestone


def milestone_list_for_user(*, user) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project__in=_visible_projects(user)).order_by("project_id", "due_on", "pk")


def kpi_get_for_user(*, user, pk: int) -> KPI:
    kpi = KPI.objects.select_related("project").filter(pk=pk).first()
    if kpi is None or not rules.can_view_project(user, kpi.project):
        raise Http404(_("No such KPI."))
    return kpi


def kpi_list_for_user(*, user) -> QuerySet[KPI]:
    return KPI.objects.filter(project__in=_visible_projects(user)).prefetch_related(
        Prefetch("measurements", queryset=KPIMeasurement.objects.order_by("measured_on"))
    ).order_by("project_id", "pk")


def event_list_for_user(*, user) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(project__in=_visible_projects(user)).select_related(
        "actor", "organisation", "agreement"
    ).order_by("created_at", "pk")
