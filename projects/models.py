from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from partners.countries import COUNTRY_CHOICES
from partners.models import Organisation, TimeStamped, Topic


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

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"pk": self.pk})

    @transition(field=stage, source=Stage.PROPOSED, target=Stage.ACTIVE)
    def activate(self) -> None:
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
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.INVITED)

    class Meta:
        verbose_name = _("project party")
        verbose_name_plural = _("project parties")
        ordering = ["project", "role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="projectparty_unique_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) in {self.project}"


class Milestone(TimeStamped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


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
