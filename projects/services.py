"""Every write about projects, their parties, agreements, milestones and KPIs.

Each public function is one transaction: it locks the row it changes, asks the
workflow declaration (projects.models, read through projects.workflow) who may
do it and whether the state allows it, records the step in the audit trail, and
tells the other parties after the commit (projects.tasks.notify_event).
"""
from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import conflict, forbidden, invalid
from core.notifications import notify_organisations
from core.queue import enqueue_on_commit
from partners.models import Organisation
from partners.permissions import is_coordinator
from projects import documents, workflow
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

PUBLIC_STAGES = ("active", "pilot", "scaling", "completed")


# --- Shared steps ---------------------------------------------------------------


def _stale_agreement():
    # Evaluated per call, so the message is in the language of the request.
    return conflict(_(
        "This agreement was changed by someone else since you opened it; reload to see their changes "
        "(your text is shown below)"
    ))


def _stale_project():
    return conflict(_(
        "This project was changed by someone else since you opened it; reload to see their changes "
        "(your text is shown below)"
    ))


def _save(instance, by, fields: list[str] | None = None) -> None:
    instance._history_user = by  # django-simple-history records who changed the fields
    if fields is None:
        instance.save()
    else:
        instance.save(update_fields=[*dict.fromkeys(fields), "updated_at"])


def _fire(instance, name: str, *, by, comment: str = "", **kwargs) -> tuple[str, str]:
    """Check the declaration (403/409/400), then run the transition: (source, target)."""
    workflow.check(instance, name, by, comment=comment)
    field = workflow.state_field(type(instance)).name
    source = getattr(instance, field)
    getattr(instance, name)(**kwargs)
    return source, getattr(instance, field)


def _acting_organisation(by, project, *, signing: bool = True) -> int | None:
    """The party organisation `by` acts for here: the acting one if it is a party, else the first."""
    ids = [s.organisation_id for s in rules.seats(by, project) if s.signs or not signing]
    acting = getattr(by, "acting_organisation_id", None)
    return acting if acting in ids else (ids[0] if ids else None)


def _record(*, project: Project, action: str, by, organisation_id: int | None = None, agreement: Agreement | None = None,
            from_state: str = "", to_state: str = "", comment: str = "", data: dict | None = None,
            notify: bool = True) -> AuditEvent:
    """Append one event to the project's trail; the other parties hear of it after commit."""
    event = AuditEvent.objects.create(
        project=project, agreement=agreement, action=action, from_state=from_state, to_state=to_state,
        actor=by, actor_name=(by.display_name if by is not None else ""), organisation_id=organisation_id,
        comment=(comment or "").strip(), data=data or {},
    )
    if notify:
        from projects.tasks import notify_event

        enqueue_on_commit(notify_event, event.pk)
    return event


def _locked_project(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _locked_agreement(agreement: Agreement) -> Agreement:
    # Only the agreement row: approvals of two parties queue on it, and count each other.
    return Agreement.objects.select_for_update(of=("self",)).select_related("project").get(pk=agreement.pk)


def _refresh_public(project: Project, by) -> None:
    """The public summary shows once the project is active and every party agrees to it."""
    parties = [p for p in project.parties.all() if p.status != ProjectParty.Status.DECLINED]
    public = project.stage in PUBLIC_STAGES and bool(parties) and all(
        p.status == ProjectParty.Status.ACCEPTED and p.public_consent for p in parties
    )
    if public != project.is_public:
        project.is_public = public
        _save(project, by, ["is_public"])


def _required(value: str, message: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(message, field=field)
    return value


# --- Projects -------------------------------------------------------------------


@transaction.atomic
def project_create_from_proposal(*, proposal, by) -> Project:
    """The project an approved match becomes: the need's organisation leads, the
    capability's is its partner; both are invited and told."""
    need, capability = proposal.need, proposal.capability
    project = Project(
        title=need.title[:200],
        summary=_("%(need)s — answered by “%(capability)s” of %(organisation)s.")
        % {"need": need.description[:1500], "capability": capability.title, "organisation": capability.organisation.name},
        city=need.effective_city,
        country=need.effective_country,
        proposal=proposal,
        created_by=by,
    )
    project._history_user = by
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # The one-project-per-proposal constraint: another approval got there first.
        raise conflict(_("This proposal has already become a project."))
    project.topics.set(list(need.topics.all()) + list(capability.topics.all()))
    ProjectParty.objects.bulk_create([
        ProjectParty(project=project, organisation=need.organisation, role=ProjectParty.Role.LEAD),
        ProjectParty(project=project, organisation=capability.organisation, role=ProjectParty.Role.PARTNER),
    ])
    _record(project=project, action="project.created", by=by, to_state=project.stage,
            data={"proposal": proposal.pk}, notify=False)
    notify_organisations(
        organisations=[need.organisation, capability.organisation],
        template="projects/email/project_created",
        context={"project": project, "need": need, "capability": capability},
        url=project.get_absolute_url(),
    )
    return project


@transaction.atomic
def project_create(*, by, title: str, summary: str = "", city: str = "", country: str = "", topics=()) -> Project:
    """A coordinator starts a project by hand; parties are added next (party_add)."""
    if not rules.can_create_projects(by):
        raise forbidden(_("Only coordinators create projects by hand."))
    project = Project(
        title=_required(title, _("A title is required."), "title")[:200], summary=summary or "", city=city or "",
        country=country or "", created_by=by,
    )
    _save(project, by)
    project.topics.set(list(topics or ()))
    _record(project=project, action="project.created", by=by, to_state=project.stage, notify=False)
    return project


PROJECT_FIELDS = ("title", "summary", "city", "country")


@transaction.atomic
def project_update(*, project: Project, by, version: int, topics=None, **changes) -> Project:
    """Edit what the project is about; refused (409) if it changed since `version` was read."""
    project = _locked_project(project)
    if not rules.can_edit_project(by, project):
        raise forbidden(_("Only the lead and the coordinators change a project's details."))
    if project.version != version:
        raise _stale_project()
    if project.is_over:
        raise conflict(_("This project is over: its details no longer change."))
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "title" in changes:
        changes["title"] = _required(changes["title"], _("A title is required."), "title")[:200]
    changed = [f for f, v in changes.items() if getattr(project, f) != (v or "")]
    for field in changed:
        setattr(project, field, changes[field] or "")
    project.version += 1
    _save(project, by, [*changed, "version"])
    if topics is not None:
        project.topics.set(list(topics))
    _record(project=project, action="project.edited", by=by, organisation_id=_acting_organisation(by, project),
            data={"version": project.version, "fields": changed + (["topics"] if topics is not None else [])},
            notify=False)
    return project


def _project_step(project: Project, name: str, *, by, comment: str = "") -> Project:
    project = _locked_project(project)
    source, target = _fire(project, name, by=by, comment=comment)
    _save(project, by, ["stage"])
    organisation = None if is_coordinator(by) else _acting_organisation(by, project)
    _record(project=project, action=f"project.{name}", by=by, organisation_id=organisation, from_state=source,
            to_state=target, comment=comment)
    _refresh_public(project, by)
    return project


@transaction.atomic
def project_start_pilot(*, project: Project, by, comment: str = "") -> Project:
    return _project_step(project, "start_pilot", by=by, comment=comment)


@transaction.atomic
def project_scale_up(*, project: Project, by, comment: str = "") -> Project:
    return _project_step(project, "scale_up", by=by, comment=comment)


@transaction.atomic
def project_complete(*, project: Project, by, comment: str = "") -> Project:
    return _project_step(project, "complete", by=by, comment=comment)


@transaction.atomic
def project_cancel(*, project: Project, by, comment: str = "") -> Project:
    return _project_step(project, "cancel", by=by, comment=comment)


# --- Parties --------------------------------------------------------------------


@transaction.atomic
def party_add(*, project: Project, organisation: Organisation, role: str, by) -> ProjectParty:
    """A coordinator invites another organisation; it accepts or declines like the first ones."""
    if not rules.can_manage_parties(by, project):
        raise forbidden(_("Only coordinators add parties to a project."))
    project = _locked_project(project)
    if project.is_over:
        raise conflict(_("This project is over: it takes no new parties."))
    if role not in ProjectParty.Role.values:
        raise invalid(_("Choose the party's role."), field="role")
    if not organisation.is_verified:
        raise invalid(_("Only verified organisations become parties."), field="organisation")
    try:
        with transaction.atomic():
            party = ProjectParty.objects.create(project=project, organisation=organisation, role=role)
    except IntegrityError:
        raise conflict(_("%(name)s is already a party to this project.") % {"name": organisation.name}, field="organisation")
    _record(project=project, action="party.invited", by=by,
            data={"party": organisation.name, "party_id": organisation.pk, "role": role})
    _refresh_public(project, by)
    return party


def _party_answer(party: ProjectParty, name: str, *, by, comment: str = "") -> ProjectParty:
    # The project row first: two parties answering at once queue here, so the
    # last acceptance sees all the others and activates the project exactly once.
    project = _locked_project(party.project)
    party = ProjectParty.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=party.pk)
    party.project = project
    source, target = _fire(party, name, by=by, comment=comment)
    party.responded_at, party.responded_by = timezone.now(), by
    _save(party, by, ["status", "responded_at", "responded_by"])
    rules.forget_seats(project)
    _record(project=project, action=f"party.{name}", by=by, organisation_id=party.organisation_id,
            from_state=source, to_state=target, comment=comment,
            data={"party": party.organisation.name, "role": party.role})
    if project.stage == Project.Stage.PROPOSED and workflow.all_parties_accepted(project):
        source, target = _fire(project, "activate", by=None)  # the platform's own step
        _save(project, None, ["stage"])
        _record(project=project, action="project.activate", by=None, from_state=source, to_state=target)
    _refresh_public(project, by)
    return party


@transaction.atomic
def party_accept(*, party: ProjectParty, by, comment: str = "") -> ProjectParty:
    return _party_answer(party, "accept", by=by, comment=comment)


@transaction.atomic
def party_decline(*, party: ProjectParty, by, comment: str = "") -> ProjectParty:
    return _party_answer(party, "decline", by=by, comment=comment)


@transaction.atomic
def party_set_public_consent(*, party: ProjectParty, by, consent: bool) -> ProjectParty:
    """A party's administrators agree (or no longer agree) to the public summary."""
    project = _locked_project(party.project)
    party = ProjectParty.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=party.pk)
    party.project = project
    if not rules.the_party_admins(party, by):
        raise forbidden(_("Only the organisation's administrators decide this."))
    if party.status == ProjectParty.Status.DECLINED:
        raise conflict(_("This organisation declined the project."))
    if party.public_consent != bool(consent):
        party.public_consent = bool(consent)
        _save(party, by, ["public_consent"])
        _record(project=project, action="party.public_consent", by=by, organisation_id=party.organisation_id,
                data={"consent": bool(consent), "party": party.organisation.name}, notify=False)
    _refresh_public(project, by)
    return party


# --- Agreements: content ----------------------------------------------------------


def _check_agreement_fields(changes: dict) -> None:
    if "type" in changes and changes["type"] not in Agreement.Type.values:
        raise invalid(_("Choose the type of agreement."), field="type")
    if "title" in changes:
        changes["title"] = _required(changes["title"], _("A title is required."), "title")[:200]
    if "text" in changes:
        changes["text"] = changes["text"] or ""


def _attach(agreement: Agreement, upload) -> documents.CheckedDocument:
    checked = documents.document_check(upload)
    agreement.document.save(documents.stored_name(checked), upload, save=False)
    agreement.document_name = documents.display_name(getattr(upload, "name", ""), checked)
    agreement.document_kind = checked.kind
    agreement._checked_document = checked
    return checked


def _snapshot(agreement: Agreement, by, organisation_id: int | None, note: str = "") -> AgreementVersion:
    """Keep this version of the content for good (a document file is shared, never overwritten)."""
    checked = getattr(agreement, "_checked_document", None)
    previous = agreement.versions.filter(document=agreement.document.name).first() if agreement.document and not checked else None
    return AgreementVersion.objects.create(
        agreement=agreement, number=agreement.version, title=agreement.title, text=agreement.text,
        document=agreement.document.name or "", document_name=agreement.document_name,
        document_kind=agreement.document_kind,
        document_size=checked.size if checked else (previous.document_size if previous else None),
        document_sha256=checked.sha256 if checked else (previous.document_sha256 if previous else ""),
        note=note[:500], created_by=by, organisation_id=organisation_id,
    )


@transaction.atomic
def agreement_create(*, project: Project, by, type: str, title: str, text: str = "",
                     effective_date: datetime.date | None = None, document=None) -> Agreement:
    """A party's member (or a coordinator) drafts an agreement: version 1, in draft."""
    project = Project.objects.get(pk=project.pk)
    if not rules.can_work_on_project(by, project):
        raise forbidden(_("Only the members of the parties and the coordinators draft agreements."))
    if project.is_over:
        raise conflict(_("This project is over: it takes no new agreements."))
    fields = {"type": type, "title": title, "text": text}
    _check_agreement_fields(fields)
    agreement = Agreement(project=project, effective_date=effective_date, created_by=by, **fields)
    if document:
        _attach(agreement, document)
    _save(agreement, by)
    organisation = _acting_organisation(by, project)
    _snapshot(agreement, by, organisation, note=_("First version"))
    _record(project=project, agreement=agreement, action="agreement.created", by=by, organisation_id=organisation,
            to_state=agreement.state, data={"version": agreement.version, "title": agreement.title})
    return agreement


def _locked_draft(agreement: Agreement, by, version: int) -> Agreement:
    agreement = _locked_agreement(agreement)
    if not rules.can_work_on_project(by, agreement.project):
        raise forbidden(_("Only the members of the parties and the coordinators change agreements."))
    if agreement.version != version:
        raise _stale_agreement()
    if not agreement.is_editable:
        raise conflict(
            _("Only a draft can be changed, and this agreement is %(state)s.") % {"state": agreement.get_state_display()}
        )
    return agreement


AGREEMENT_FIELDS = ("type", "title", "text", "effective_date")


@transaction.atomic
def agreement_update(*, agreement: Agreement, by, version: int, **changes) -> Agreement:
    """Change a draft's content: a new version, unless someone else changed it since `version`."""
    agreement = _locked_draft(agreement, by, version)
    unknown = set(changes) - set(AGREEMENT_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    _check_agreement_fields(changes)
    changed = [f for f, v in changes.items() if getattr(agreement, f) != v]
    if not changed:
        return agreement
    for field in changed:
        setattr(agreement, field, changes[field])
    agreement.version += 1
    _save(agreement, by, [*changed, "version"])
    organisation = _acting_organisation(by, agreement.project)
    _snapshot(agreement, by, organisation, note=", ".join(changed))
    _record(project=agreement.project, agreement=agreement, action="agreement.edited", by=by,
            organisation_id=organisation, data={"version": agreement.version, "fields": changed})
    return agreement


@transaction.atomic
def agreement_document_upload(*, agreement: Agreement, by, version: int, document, note: str = "") -> AgreementVersion:
    """A new document for a draft (PDF, DOCX or ODT, checked by content): a new version."""
    agreement = _locked_draft(agreement, by, version)
    if not document:
        raise invalid(_("Choose a file."), field="document")
    _attach(agreement, document)
    agreement.version += 1
    _save(agreement, by, ["document", "document_name", "document_kind", "version"])
    organisation = _acting_organisation(by, agreement.project)
    saved = _snapshot(agreement, by, organisation, note=note or agreement.document_name)
    _record(project=agreement.project, agreement=agreement, action="agreement.document", by=by,
            organisation_id=organisation, comment=note,
            data={"version": agreement.version, "name": agreement.document_name, "kind": agreement.document_kind})
    return saved


# --- Agreements: the workflow -------------------------------------------------------


def _agreement_step(agreement: Agreement, name: str, *, by, comment: str = "") -> Agreement:
    agreement = _locked_agreement(agreement)
    source, target = _fire(agreement, name, by=by, comment=comment)
    _save(agreement, by, ["state"])
    coordinator_only = workflow.declared(Agreement, name)[0].permission is rules.coordinators
    organisation = None if coordinator_only else _acting_organisation(by, agreement.project)
    _record(project=agreement.project, agreement=agreement, action=f"agreement.{name}", by=by,
            organisation_id=organisation, from_state=source, to_state=target, comment=comment,
            data={"version": agreement.version})
    return agreement


@transaction.atomic
def agreement_submit(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "submit", by=by, comment=comment)


@transaction.atomic
def agreement_request_changes(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "request_changes", by=by, comment=comment)


@transaction.atomic
def agreement_put_in_force(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "put_in_force", by=by, comment=comment)


@transaction.atomic
def agreement_complete(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "complete", by=by, comment=comment)


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "withdraw", by=by, comment=comment)


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, by, comment: str = "") -> Agreement:
    return _agreement_step(agreement, "terminate", by=by, comment=comment)


def _check_seen_version(agreement: Agreement, version: int | None) -> None:
    if version is not None and int(version) != agreement.version:
        raise conflict(
            _("The agreement changed since you opened it (it is now version %(version)s): read it again first.")
            % {"version": agreement.version}
        )


def _party_for(agreement: Agreement, by, organisation: Organisation | int | None, done: set[int]) -> int:
    """The party organisation `by` approves or signs for (one may belong to several)."""
    mine = rules.signing_organisations(by, agreement.project)
    if organisation is not None:
        wanted = getattr(organisation, "pk", organisation)
        if wanted not in mine:
            raise forbidden(_("You do not act for that organisation in this project."))
        candidates = [wanted]
    else:
        candidates = [o for o in mine if o not in done] or mine[:1]
    acting = getattr(by, "acting_organisation_id", None)
    if len(candidates) > 1 and acting not in candidates:
        raise invalid(_("You belong to several parties: choose the organisation you act for."), field="organisation")
    chosen = acting if len(candidates) > 1 else candidates[0]
    if chosen in done:
        raise conflict(_("Your organisation has already done this for this version."))
    return chosen


def _everyone(agreement: Agreement, model) -> bool:
    """Have all accepted signing parties a row of `model` for the current version?"""
    required = set(ProjectParty.objects.filter(
        project_id=agreement.project_id, status=ProjectParty.Status.ACCEPTED, role__in=rules.SIGNING_ROLES,
    ).values_list("organisation_id", flat=True))
    return bool(required) and required <= _done(agreement, model)


def _done(agreement: Agreement, model) -> set[int]:
    return set(model.objects.filter(agreement=agreement, version=agreement.version).values_list("organisation_id", flat=True))


@transaction.atomic
def agreement_approve(*, agreement: Agreement, by, organisation=None, version: int | None = None,
                      comment: str = "") -> Agreement:
    """One party approves the version in review; the last approval makes it agreed.
    Parties approving at once queue on the row lock, so each sees the others' approvals."""
    agreement = _locked_agreement(agreement)
    workflow.check(agreement, "approve", by, comment=comment)
    _check_seen_version(agreement, version)
    organisation_id = _party_for(agreement, by, organisation, _done(agreement, AgreementApproval))
    try:
        with transaction.atomic():
            AgreementApproval.objects.create(agreement=agreement, organisation_id=organisation_id,
                                             version=agreement.version, approved_by=by, comment=(comment or "").strip())
    except IntegrityError:
        raise conflict(_("Your organisation has already done this for this version."))
    source, target = _fire(agreement, "approve", by=by, comment=comment, everyone=_everyone(agreement, AgreementApproval))
    if target != source:
        _save(agreement, by, ["state"])
    _record(project=agreement.project, agreement=agreement, action="agreement.approve", by=by,
            organisation_id=organisation_id, from_state=source, to_state=target, comment=comment,
            data={"version": agreement.version})
    return agreement


@transaction.atomic
def agreement_sign(*, agreement: Agreement, by, signatory: str, signed_on: datetime.date, signed_copy,
                   organisation=None, version: int | None = None, comment: str = "") -> Agreement:
    """One party records its signature (who signed, when, the signed copy); the last one makes
    it signed, and in force at once if its effective date has come."""
    agreement = _locked_agreement(agreement)
    workflow.check(agreement, "sign", by, comment=comment)
    _check_seen_version(agreement, version)
    signatory = _required(signatory, _("Name the person who signed."), "signatory")[:200]
    if not signed_on or signed_on > timezone.localdate():
        raise invalid(_("Give the date of the signature (not in the future)."), field="signed_on")
    if not signed_copy:
        raise invalid(_("Upload the signed copy."), field="signed_copy")
    checked = documents.document_check(signed_copy, field="signed_copy")
    organisation_id = _party_for(agreement, by, organisation, _done(agreement, AgreementSignature))
    signature = AgreementSignature(
        agreement=agreement, organisation_id=organisation_id, version=agreement.version, signatory=signatory,
        signed_on=signed_on, recorded_by=by, signed_copy_kind=checked.kind,
        signed_copy_name=documents.display_name(getattr(signed_copy, "name", ""), checked),
    )
    signature.signed_copy.save(documents.stored_name(checked), signed_copy, save=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise conflict(_("Your organisation has already done this for this version."))
    source, target = _fire(agreement, "sign", by=by, comment=comment, everyone=_everyone(agreement, AgreementSignature))
    if target != source:
        _save(agreement, by, ["state"])
    _record(project=agreement.project, agreement=agreement, action="agreement.sign", by=by,
            organisation_id=organisation_id, from_state=source, to_state=target, comment=comment,
            data={"version": agreement.version, "signatory": signatory, "signed_on": signed_on.isoformat()})
    if agreement.state == Agreement.State.SIGNED and workflow.effective_date_reached(agreement):
        _take_effect(agreement)
    return agreement


def _take_effect(agreement: Agreement) -> None:
    source, target = _fire(agreement, "take_effect", by=None)
    _save(agreement, None, ["state"])
    _record(project=agreement.project, agreement=agreement, action="agreement.take_effect", by=None,
            from_state=source, to_state=target, data={"effective_date": agreement.effective_date.isoformat()})


@transaction.atomic
def agreement_take_effect(*, agreement_id: int) -> Agreement | None:
    """The platform puts a signed agreement in force on its effective date; a no-op otherwise (idempotent)."""
    agreement = (
        Agreement.objects.select_for_update(of=("self",), skip_locked=True).select_related("project")
        .filter(pk=agreement_id, state=Agreement.State.SIGNED).first()
    )
    if agreement is None or not workflow.effective_date_reached(agreement):
        return None
    _take_effect(agreement)
    return agreement


def agreements_take_effect_due(*, today: datetime.date | None = None) -> int:
    """Beat: every signed agreement whose effective date has come, one transaction each."""
    today = today or timezone.localdate()
    due = Agreement.objects.filter(state=Agreement.State.SIGNED, effective_date__lte=today).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if agreement_take_effect(agreement_id=pk) is not None)


# The services behind each transition a person fires: pages and API look them up here,
# and a test checks these keys are exactly the declaration's (projects.workflow.user_transitions).
AGREEMENT_STEPS = {
    "submit": agreement_submit,
    "request_changes": agreement_request_changes,
    "approve": agreement_approve,
    "sign": agreement_sign,
    "put_in_force": agreement_put_in_force,
    "complete": agreement_complete,
    "withdraw": agreement_withdraw,
    "terminate": agreement_terminate,
}
PROJECT_STEPS = {
    "start_pilot": project_start_pilot,
    "scale_up": project_scale_up,
    "complete": project_complete,
    "cancel": project_cancel,
}
PARTY_STEPS = {"accept": party_accept, "decline": party_decline}


# --- Milestones and KPIs ----------------------------------------------------------


def _check_work(by, project: Project) -> None:
    if not rules.can_work_on_project(by, project):
        raise forbidden(_("Only the members of the parties and the coordinators keep milestones and KPIs."))
    if project.is_over:
        raise conflict(_("This project is over: its milestones and KPIs no longer change."))


def _milestone_agreement(project: Project, agreement) -> Agreement | None:
    if agreement in (None, ""):
        return None
    pk = getattr(agreement, "pk", agreement)
    found = Agreement.objects.filter(project=project, pk=pk).first()
    if found is None:
        raise invalid(_("That agreement is not one of this project's."), field="agreement")
    return found


@transaction.atomic
def milestone_create(*, project: Project, by, title: str, due_on: datetime.date, agreement=None,
                     status: str = Milestone.Status.PLANNED) -> Milestone:
    project = Project.objects.get(pk=project.pk)
    _check_work(by, project)
    if status not in Milestone.Status.values:
        raise invalid(_("Choose a status."), field="status")
    if not due_on:
        raise invalid(_("Give the due date."), field="due_on")
    milestone = Milestone(project=project, title=_required(title, _("A title is required."), "title")[:200],
                          due_on=due_on, status=status, agreement=_milestone_agreement(project, agreement),
                          done_at=timezone.now() if status == Milestone.Status.DONE else None)
    _save(milestone, by)
    _record(project=project, agreement=milestone.agreement, action="milestone.created", by=by,
            organisation_id=_acting_organisation(by, project), notify=False,
            data={"title": milestone.title, "due_on": due_on.isoformat()})
    return milestone


MILESTONE_FIELDS = ("title", "due_on", "status", "agreement")


@transaction.atomic
def milestone_update(*, milestone: Milestone, by, **changes) -> Milestone:
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("project").get(pk=milestone.pk)
    _check_work(by, milestone.project)
    unknown = set(changes) - set(MILESTONE_FIELDS)
    if unknown:
        raise invalid(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "status" in changes and changes["status"] not in Milestone.Status.values:
        raise invalid(_("Choose a status."), field="status")
    if "title" in changes:
        changes["title"] = _required(changes["title"], _("A title is required."), "title")[:200]
    if "agreement" in changes:
        changes["agreement"] = _milestone_agreement(milestone.project, changes["agreement"])
    changed = [f for f, v in changes.items() if getattr(milestone, f) != v]
    for field in changed:
        setattr(milestone, field, changes[field])
    if "status" in changed:
        milestone.done_at = timezone.now() if milestone.status == Milestone.Status.DONE else None
    if "due_on" in changed and not milestone.is_overdue():
        milestone.overdue_notified_at = None  # moved later: warn again if it slips once more
    if changed:
        _save(milestone, by, [*changed, "done_at", "overdue_notified_at"])
        action = "milestone.status" if "status" in changed else "milestone.edited"
        _record(project=milestone.project, agreement=milestone.agreement, action=action, by=by,
                organisation_id=_acting_organisation(by, milestone.project), notify=action == "milestone.status",
                data={"title": milestone.title, "status": milestone.status, "fields": changed})
    return milestone


@transaction.atomic
def milestones_flag_overdue(*, today: datetime.date | None = None) -> int:
    """Beat: each milestone that passed its due date undone is flagged once, and the parties told.
    Claimed with a lock that skips rows another run holds, so two runs never flag one twice."""
    today = today or timezone.localdate()
    overdue = list(
        Milestone.objects.select_for_update(of=("self",), skip_locked=True).select_related("project")
        .filter(due_on__lt=today, overdue_notified_at__isnull=True)
        .exclude(status=Milestone.Status.DONE)
        .exclude(project__stage__in=[Project.Stage.COMPLETED, Project.Stage.CANCELLED])
    )
    now = timezone.now()
    for milestone in overdue:
        Milestone.objects.filter(pk=milestone.pk).update(overdue_notified_at=now)
        _record(project=milestone.project, agreement=None, action="milestone.overdue", by=None,
                data={"title": milestone.title, "due_on": milestone.due_on.isoformat(), "milestone": milestone.pk})
    return len(overdue)


@transaction.atomic
def kpi_create(*, project: Project, by, name: str, unit: str, baseline: float, target: float) -> KPI:
    project = Project.objects.get(pk=project.pk)
    _check_work(by, project)
    kpi = KPI.objects.create(
        project=project, name=_required(name, _("Name the KPI."), "name")[:200],
        unit=_required(unit, _("Give the unit."), "unit")[:40], baseline=float(baseline), target=float(target),
    )
    _record(project=project, action="kpi.created", by=by, organisation_id=_acting_organisation(by, project),
            data={"name": kpi.name, "unit": kpi.unit, "baseline": kpi.baseline, "target": kpi.target}, notify=False)
    return kpi


@transaction.atomic
def kpi_measurement_record(*, kpi: KPI, by, measured_on: datetime.date, value: float) -> KPIMeasurement:
    """A measured value on a day; measuring the same day again corrects it."""
    kpi = KPI.objects.select_for_update(of=("self",)).select_related("project").get(pk=kpi.pk)
    _check_work(by, kpi.project)
    if not measured_on or measured_on > timezone.localdate():
        raise invalid(_("Give the day of the measurement (not in the future)."), field="measured_on")
    measurement, _created = KPIMeasurement.objects.update_or_create(
        kpi=kpi, measured_on=measured_on, defaults={"value": float(value), "recorded_by": by},
    )
    _record(project=kpi.project, action="kpi.measured", by=by, organisation_id=_acting_organisation(by, kpi.project),
            data={"name": kpi.name, "unit": kpi.unit, "value": float(value), "measured_on": measured_on.isoformat()},
            notify=False)
    return measurement


# --- Notifications ------------------------------------------------------------------


@transaction.atomic
def event_notify(*, event_id: int) -> int:
    """Tell the parties other than the one that acted, in-app and by email. Runs in the
    worker; the lock and `notified_at` make a second delivery a no-op."""
    event = (
        AuditEvent.objects.select_for_update(of=("self",)).select_related("project", "agreement")
        .filter(pk=event_id, notified_at__isnull=True).first()
    )
    if event is None:
        return 0
    organisations = list(
        Organisation.objects.filter(
            project_parties__project=event.project, project_parties__status__in=rules.PRESENT_STATUSES
        ).exclude(pk=event.organisation_id or 0)
    )
    if organisations:
        target = event.agreement or event.project
        notify_organisations(
            organisations=organisations, template="projects/email/event",
            context={"event": event, "project": event.project, "agreement": event.agreement},
            url=target.get_absolute_url(),
        )
    AuditEvent.objects.filter(pk=event.pk).update(notified_at=timezone.now())
    return len(organisations)

