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
from projects.workflow import OPTIONAL_COMMENT, REQUIRED_COMMENT, guard, step

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
                permission=rules.coordinators,
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
