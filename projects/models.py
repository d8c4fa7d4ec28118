from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition
from simple_history.models import HistoricalRecords

from partners.countries import COUNTRY_CHOICES
from partners.models import Organisation, TimeStamped, Topic
from projects import permissions as rules
from projects import workflow
from projects.documents import agreement_upload_to, private_storage
from projects.workflow import OPTIONAL_COMMENT, REQUIRED_COMMENT, step

COORDINATORS = _("coordinators")
LEAD_OR_COORDINATORS = _("the lead's administrators and the coordinators")
PARTY_ADMINS = _("the administrators of the organisation invited")
MEMBERS = _("the members of the parties")
ADMINS = _("the administrators of the parties")
ADMINS_OR_COORDINATORS = _("the administrators of the parties and the coordinators")
PLATFORM = _("the platform itself")


class Project(TimeStamped):
    class Stage(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        PILOT = "pilot", _("Pilot")
        SCALING = "scaling", _("Scaling")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="projects")
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    # One project per approved proposal, whatever the races: the database decides.
    proposal = models.OneToOneField(
        "matchmaking.Proposal", verbose_name=_("match"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="project",
    )
    stage = FSMField(_("stage"), default=Stage.PROPOSED, choices=Stage.choices, protected=False)
    is_public = models.BooleanField(_("public summary"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Compare-and-increment on every edit: a form sends back the version it showed.
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.pk})

    def get_public_url(self) -> str:
        return reverse("projects:project_public", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.stage in workflow.RUNNING_STAGES

    @property
    def is_over(self) -> bool:
        return self.stage in (self.Stage.COMPLETED, self.Stage.CANCELLED)

    # --- The stage workflow, declared once ------------------------------------
    @transition(field=stage, source=Stage.PROPOSED, target=Stage.ACTIVE, permission=rules.platform_only,
                conditions=[workflow.all_parties_accepted],
                custom=step(_("Activate"), _("Project active: every party has accepted"), who=PLATFORM, auto=True))
    def activate(self) -> None:
        pass

    @transition(field=stage, source=Stage.ACTIVE, target=Stage.PILOT, permission=rules.lead_admins_or_coordinators,
                custom=step(_("Start the pilot"), _("Pilot started"), who=LEAD_OR_COORDINATORS, comment=OPTIONAL_COMMENT))
    def start_pilot(self) -> None:
        pass

    @transition(field=stage, source=Stage.PILOT, target=Stage.SCALING, permission=rules.lead_admins_or_coordinators,
                custom=step(_("Scale up"), _("Scaling up"), who=LEAD_OR_COORDINATORS, comment=OPTIONAL_COMMENT))
    def scale_up(self) -> None:
        pass

    @transition(field=stage, source=[Stage.ACTIVE, Stage.PILOT, Stage.SCALING], target=Stage.COMPLETED,
                permission=rules.coordinators, conditions=[workflow.no_open_agreements],
                custom=step(_("Complete the project"), _("Project completed"), who=COORDINATORS, comment=OPTIONAL_COMMENT))
    def complete(self) -> None:
        pass

    @transition(field=stage, source=[Stage.PROPOSED, Stage.ACTIVE, Stage.PILOT, Stage.SCALING], target=Stage.CANCELLED,
                permission=rules.coordinators, conditions=[workflow.no_open_agreements],
                custom=step(_("Cancel the project"), _("Project cancelled"), who=COORDINATORS, comment=REQUIRED_COMMENT,
                            danger=True))
    def cancel(self) -> None:
        pass


class ProjectParty(TimeStamped):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        PARTNER = "partner", _("Partner")
        EVALUATOR = "evaluator", _("Think-tank evaluator")
        OBSERVER = "observer", _("Observer")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="project_parties")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    status = FSMField(_("status"), max_length=16, choices=Status.choices, default=Status.INVITED, protected=False)
    # The public summary shows only when every party agrees to it.
    public_consent = models.BooleanField(_("agrees to a public summary"), default=False)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("project party")
        verbose_name_plural = _("project parties")
        ordering = ["project", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="projectparty_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) in {self.project}"

    @property
    def signs(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.role in rules.SIGNING_ROLES

    # --- The invitation, declared once -----------------------------------------
    @transition(field=status, source=Status.INVITED, target=Status.ACCEPTED, permission=rules.the_party_admins,
                conditions=[workflow.project_still_open],
                custom=step(_("Accept"), _("Invitation accepted"), who=PARTY_ADMINS, comment=OPTIONAL_COMMENT))
    def accept(self) -> None:
        pass

    @transition(field=status, source=Status.INVITED, target=Status.DECLINED, permission=rules.the_party_admins,
                conditions=[workflow.project_still_open],
                custom=step(_("Decline"), _("Invitation declined"), who=PARTY_ADMINS, comment=OPTIONAL_COMMENT,
                            danger=True))
    def decline(self) -> None:
        pass


class Milestone(TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    # The agreement whose completion waits for this milestone, if any.
    agreement = models.ForeignKey(
        "projects.Agreement", verbose_name=_("agreement"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="milestones",
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "overdue_notified_at"])

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        from django.utils import timezone

        return self.status != self.Status.DONE and self.due_on < (today or timezone.localdate())


class KPI(TimeStamped):
    """A measurable result of a project: unit, baseline, target and measured values over time."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40)
    baseline = models.FloatField(_("baseline"))
    target = models.FloatField(_("target"))

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class KPIMeasurement(TimeStamped):
    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField(_("measured on"))
    value = models.FloatField(_("value"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("KPI measurement")
        verbose_name_plural = _("KPI measurements")
        ordering = ["kpi", "measured_on"]
        constraints = [models.UniqueConstraint(fields=["kpi", "measured_on"], name="kpimeasurement_one_per_day")]


class Agreement(TimeStamped):
    """What the parties agree on, from a letter of intent to a contract in force,
    through the one workflow declared below."""

    class Type(models.TextChoices):
        LETTER_OF_INTENT = "loi", _("Letter of intent")
        MEMORANDUM = "mou", _("Memorandum of understanding")
        FRAMEWORK = "framework", _("Framework agreement")
        CONTRACT = "contract", _("Contract")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        AGREED = "agreed", _("Agreed")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        TERMINATED = "terminated", _("Terminated")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="agreements")
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True, max_length=100_000)
    # The current document (every earlier one stays in AgreementVersion).
    document = models.FileField(_("document"), storage=private_storage, upload_to=agreement_upload_to, blank=True,
                                max_length=300)
    document_name = models.CharField(_("document name"), max_length=200, blank=True)
    document_kind = models.CharField(_("document type"), max_length=8, blank=True)
    effective_date = models.DateField(_("effective date"), null=True, blank=True,
                                      help_text=_("Once signed, it comes into force on this date."))
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=False)
    # Compare-and-increment on every change of content: approvals and signatures
    # are of one version, and an edit made on an older one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["project", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "in_review", "agreed", "signed", "in_force", "completed",
                                              "withdrawn", "terminated"]),
                name="agreement_state_valid",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="agreement_version_positive"),
        ]
        indexes = [models.Index(fields=["state", "effective_date"], name="agreement_state_effective_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:agreement_detail", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    # --- The agreement workflow, declared once ----------------------------------
    # Services fire these; pages, API and tests read them (projects.workflow).
    @transition(field=state, source=State.DRAFT, target=State.IN_REVIEW, permission=rules.party_members,
                conditions=[workflow.has_content, workflow.project_running],
                custom=step(_("Submit for review"), _("Submitted for review"), who=MEMBERS, comment=OPTIONAL_COMMENT))
    def submit(self) -> None:
        pass

    @transition(field=state, source=State.IN_REVIEW, target=State.DRAFT, permission=rules.party_members,
                custom=step(_("Request changes"), _("Changes requested"), who=MEMBERS, comment=REQUIRED_COMMENT))
    def request_changes(self) -> None:
        pass

    # Each party approves the version in review (an AgreementApproval row); the
    # last approval makes it agreed. The service counts under the row lock.
    @transition(field=state, source=State.IN_REVIEW, target=RETURN_VALUE(State.IN_REVIEW, State.AGREED),
                permission=rules.party_admins,
                custom=step(_("Approve"), _("Approved"), who=ADMINS, comment=OPTIONAL_COMMENT, form="approval"))
    def approve(self, *, everyone: bool) -> str:
        return self.State.AGREED if everyone else self.State.IN_REVIEW

    @transition(field=state, source=State.AGREED, target=RETURN_VALUE(State.AGREED, State.SIGNED),
                permission=rules.party_admins,
                custom=step(_("Record our signature"), _("Signature recorded"), who=ADMINS, comment=OPTIONAL_COMMENT,
                            form="signature"))
    def sign(self, *, everyone: bool) -> str:
        return self.State.SIGNED if everyone else self.State.AGREED

    @transition(field=state, source=State.SIGNED, target=State.IN_FORCE, permission=rules.coordinators,
                custom=step(_("Put in force"), _("Put in force"), who=COORDINATORS, comment=OPTIONAL_COMMENT))
    def put_in_force(self) -> None:
        pass

    @transition(field=state, source=State.SIGNED, target=State.IN_FORCE, permission=rules.platform_only,
                conditions=[workflow.effective_date_reached],
                custom=step(_("Take effect"), _("In force from its effective date"), who=PLATFORM, auto=True))
    def take_effect(self) -> None:
        pass

    @transition(field=state, source=State.IN_FORCE, target=State.COMPLETED, permission=rules.coordinators,
                conditions=[workflow.milestones_done],
                custom=step(_("Close as completed"), _("Completed"), who=COORDINATORS, comment=OPTIONAL_COMMENT))
    def complete(self) -> None:
        pass

    @transition(field=state, source=[State.DRAFT, State.IN_REVIEW, State.AGREED], target=State.WITHDRAWN,
                permission=rules.party_admins_or_coordinators,
                custom=step(_("Withdraw"), _("Withdrawn"), who=ADMINS_OR_COORDINATORS, comment=REQUIRED_COMMENT,
                            danger=True))
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=[State.SIGNED, State.IN_FORCE], target=State.TERMINATED,
                permission=rules.party_admins_or_coordinators,
                custom=step(_("Terminate"), _("Terminated"), who=ADMINS_OR_COORDINATORS, comment=REQUIRED_COMMENT,
                            danger=True))
    def terminate(self) -> None:
        pass


class AgreementVersion(models.Model):
    """Every version of an agreement's content, kept: its text, and its document if it has one."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    document = models.FileField(_("document"), storage=private_storage, upload_to=agreement_upload_to, blank=True,
                                max_length=300)
    document_name = models.CharField(_("document name"), max_length=200, blank=True)
    document_kind = models.CharField(_("document type"), max_length=8, blank=True)
    document_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreementversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} v{self.number}"


class AgreementApproval(models.Model):
    """One party's approval of one version; the constraint makes two clicks one approval."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="approvals")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("approved"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation", "version"], name="agreementapproval_once_per_version"),
        ]


class AgreementSignature(models.Model):
    """One party's signature of one version: who signed, when, and the signed copy."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    signatory = models.CharField(_("signatory"), max_length=200, help_text=_("Name and position of the person who signed."))
    signed_on = models.DateField(_("signed on"))
    signed_copy = models.FileField(_("signed copy"), storage=private_storage, upload_to=agreement_upload_to,
                                   max_length=300)
    signed_copy_name = models.CharField(max_length=200, blank=True)
    signed_copy_kind = models.CharField(max_length=8, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "organisation", "version"], name="agreementsignature_once_per_version"),
        ]


class AuditEventQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One step of a project's life, recorded as it happens and never changed:
    who, for which organisation, when, from which state to which, and why."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="events")
    agreement = models.ForeignKey(Agreement, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    # "<subject>.<what>": agreement.submit, agreement.approval, party.accept, milestone.overdue ...
    action = models.CharField(_("action"), max_length=64)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as written at the time: the trail still reads right if the account goes.
    actor_name = models.CharField(_("by"), max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Bookkeeping of the notification task (claimed once); not part of the record.
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["project", "created_at"], name="auditevent_project_time_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        # Append-only: an event is written once (the notification task only
        # stamps notified_at, with a queryset update).
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    @property
    def subject(self) -> str:
        return self.action.split(".", 1)[0]

    @property
    def what(self) -> str:
        return self.action.split(".", 1)[-1]

    @property
    def description(self) -> str:
        from projects.timeline import describe

        return describe(self)

    @property
    def from_label(self) -> str:
        from projects.timeline import state_label

        return state_label(self, self.from_state)

    @property
    def to_label(self) -> str:
        from projects.timeline import state_label

        return state_label(self, self.to_state)
