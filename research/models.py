"""Think-tank work: publications of the research library, evaluations of projects, seminars."""
from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from partners.countries import COUNTRY_CHOICES
from partners.languages import CONTENT_LANGUAGES
from partners.models import Organisation, TimeStamped, Topic
from research.timezones import validate_zone_name


def publication_pdf_path(instance: "Publication", filename: str) -> str:
    # A random name: the file's URL must not be guessable while the publication is a draft,
    # and the uploader's own file name may carry anything.
    return f"research/publications/{uuid.uuid4().hex}.pdf"


class Publication(TimeStamped):
    class Type(models.TextChoices):
        REPORT = "report", _("Report")
        POLICY_BRIEF = "policy_brief", _("Policy brief")
        EVALUATION = "evaluation", _("Evaluation")
        STANDARD_PROPOSAL = "standard_proposal", _("Standard proposal")
        DATASET = "dataset", _("Data set")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("publishing organisation"), on_delete=models.PROTECT, related_name="publications"
    )
    type = models.CharField(_("type"), max_length=32, choices=Type.choices, default=Type.REPORT)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), max_length=10000)
    language = models.CharField(_("language of the title and abstract"), max_length=16, choices=CONTENT_LANGUAGES, default="en")
    # Names as they are to be cited, in order; authors need not have an account.
    authors = models.JSONField(_("authors"), default=list, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="publications")
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("linked projects"), blank=True, related_name="publications"
    )
    pdf = models.FileField(_("PDF"), upload_to=publication_pdf_path, blank=True, max_length=200)
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"), null=True, blank=True)
    external_url = models.URLField(_("external link"), blank=True, max_length=500)
    doi = models.CharField(_("DOI"), max_length=200, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Featured on the home page by a coordinator while set.
    featured_at = models.DateTimeField(_("featured"), null=True, blank=True)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["draft", "published"]), name="publication_status_valid"),
            models.CheckConstraint(
                condition=models.Q(type__in=["report", "policy_brief", "evaluation", "standard_proposal", "dataset"]),
                name="publication_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="publication_published_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(featured_at__isnull=True) | models.Q(status="published"),
                name="publication_only_published_featured",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="publication_library_idx"),
            models.Index(fields=["status", "-featured_at"], name="publication_featured_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:publication_detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None

    @property
    def country_codes(self) -> list[str]:
        return [row.country for row in self.countries.all()]

    @property
    def year(self) -> int | None:
        return self.published_at.year if self.published_at else None

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass


class PublicationTranslation(TimeStamped):
    """The title and abstract in another language than the original's."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=16, choices=CONTENT_LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), max_length=10000, blank=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "language"], name="publicationtranslation_one_per_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class PublicationCountry(models.Model):
    """A country the publication concerns (a table, not an array: SQLite runs the embedded site)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="countries")
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES)

    class Meta:
        verbose_name = _("country concerned")
        verbose_name_plural = _("countries concerned")
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "country"], name="publicationcountry_unique"),
        ]

    def __str__(self) -> str:
        return self.country


class Evaluation(TimeStamped):
    """A think tank's evaluation of a project it is the evaluator party of."""

    # The OECD DAC criteria the seed names, in their usual order; each scored 1 (poor) to 5 (excellent).
    CRITERIA: tuple[tuple[str, str], ...] = (
        ("relevance", _("Relevance")),
        ("effectiveness", _("Effectiveness")),
        ("efficiency", _("Efficiency")),
        ("impact", _("Impact")),
        ("sustainability", _("Sustainability")),
    )
    SCORE_MIN, SCORE_MAX = 1, 5

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    project = models.ForeignKey("projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="evaluations")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("evaluating organisation"), on_delete=models.PROTECT, related_name="evaluations"
    )
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("evaluation"), max_length=50000)
    language = models.CharField(_("language of the text"), max_length=16, choices=CONTENT_LANGUAGES, default="en")
    relevance = models.PositiveSmallIntegerField(_("relevance"))
    effectiveness = models.PositiveSmallIntegerField(_("effectiveness"))
    efficiency = models.PositiveSmallIntegerField(_("efficiency"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    sustainability = models.PositiveSmallIntegerField(_("sustainability"))
    kpis = models.ManyToManyField("projects.KPI", verbose_name=_("KPIs referred to"), blank=True, related_name="evaluations")
    # The full report in the library, if there is one.
    report = models.ForeignKey(
        Publication, verbose_name=_("full report"), null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["draft", "published"]), name="evaluation_status_valid"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}), name=f"evaluation_{name}_score_1_to_5"
                )
                for name in ("relevance", "effectiveness", "efficiency", "impact", "sustainability")
            ],
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:evaluation_detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def scores(self) -> list[tuple[str, str, int]]:
        """(criterion, label, score) in the criteria's order."""
        return [(name, label, getattr(self, name)) for name, label in self.CRITERIA]

    @property
    def average_score(self) -> float:
        return sum(getattr(self, name) for name, _label in self.CRITERIA) / len(self.CRITERIA)

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass


class Event(TimeStamped):
    """A seminar: when (aware instants plus the IANA zone it is held in), where, who organises it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="organised_events"
    )
    co_organisers = models.ManyToManyField(
        Organisation, verbose_name=_("co-organisers"), blank=True, related_name="co_organised_events"
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), max_length=20000)
    language = models.CharField(_("language of the seminar"), max_length=16, choices=CONTENT_LANGUAGES, default="en")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Warsaw", validators=[validate_zone_name])
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True, max_length=500)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="events")
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    featured_at = models.DateTimeField(_("featured"), null=True, blank=True)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("seminar")
        verbose_name_plural = _("seminars")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "cancelled"]), name="event_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(condition=~models.Q(place="", online_url=""), name="event_has_place_or_link"),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1), name="event_capacity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(featured_at__isnull=True) | models.Q(status="published"),
                name="event_only_published_featured",
            ),
        ]
        indexes = [models.Index(fields=["status", "ends_at"], name="event_upcoming_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("research:event_detail", kwargs={"pk": self.pk})

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.zone)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_featured(self) -> bool:
        return self.featured_at is not None

    @property
    def is_online(self) -> bool:
        return bool(self.online_url)

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=Status.PUBLISHED, target=Status.CANCELLED)
    def cancel(self) -> None:
        self.featured_at = None


class Registration(TimeStamped):
    """One person's place at a seminar; cancelling keeps the row, registering again revives it."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seminar_registrations")
    # Who they came for, as it was when they registered (the organisers' list shows it).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(status__in=["registered", "cancelled"]), name="registration_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.event} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.REGISTERED
