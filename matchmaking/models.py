from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from partners.models import Capability, Need, TimeStamped


class Proposal(TimeStamped):
    """A proposed match of a need with a capability, with its explanation."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Response(models.TextChoices):
        NONE = "", _("No answer yet")
        INTERESTED = "interested", _("Interested")
        DECLINED = "declined", _("Not interested")

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="proposals")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="proposals")
    score = models.FloatField(_("score"))
    rank = models.PositiveSmallIntegerField(_("rank for the need"), default=0)
    contributions = models.JSONField(_("score by signal"), default=dict)
    matched_topics = models.JSONField(_("matched topics"), default=list)
    reasons_en = models.JSONField(default=list)
    reasons_zh = models.JSONField(default=list)
    status = FSMField(_("status"), default=Status.SUGGESTED, choices=Status.choices, protected=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    need_response = models.CharField(_("answer of the need's organisation"), max_length=16, choices=Response.choices, blank=True, default="")
    capability_response = models.CharField(
        _("answer of the capability's organisation"), max_length=16, choices=Response.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "capability"], name="proposal_one_per_need_and_capability"),
            models.CheckConstraint(
                condition=models.Q(status__in=["suggested", "approved", "rejected", "withdrawn"]), name="proposal_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=1), name="proposal_score_in_unit_range"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="proposal_queue_idx")]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.capability} ({self.score:.2f})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SUGGESTED

    def reasons(self, language: str | None = None) -> list[str]:
        from django.utils.translation import get_language

        return self.reasons_zh if (language or get_language() or "").startswith("zh") else self.reasons_en

    # Declared once: who fires these is checked in matchmaking.services.
    @transition(field=status, source=Status.SUGGESTED, target=Status.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.SUGGESTED, target=Status.REJECTED)
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason

    @transition(field=status, source=Status.SUGGESTED, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        pass

    @transition(field=status, source=Status.WITHDRAWN, target=Status.SUGGESTED)
    def resuggest(self) -> None:
        pass


class MatchRun(TimeStamped):
    """A full rematch: its progress is shown to coordinators while it runs."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    proposals = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "failed"]), name="matchrun_status_valid"),
        ]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0


class SisterCity(models.Model):
    """Cities already paired (there are some 160 China–CEE pairs); a bonus for matches between them."""

    city_a = models.CharField(max_length=120)
    country_a = models.CharField(max_length=2)
    city_b = models.CharField(max_length=120)
    country_b = models.CharField(max_length=2)
    since = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("sister-city pair")
        verbose_name_plural = _("sister-city pairs")
        constraints = [
            models.UniqueConstraint(fields=["city_a", "country_a", "city_b", "country_b"], name="sistercity_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.city_a} ({self.country_a}) – {self.city_b} ({self.country_b})"
