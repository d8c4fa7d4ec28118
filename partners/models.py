from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from partners.countries import COUNTRY_CHOICES, Side, country_side
from partners.languages import CONTENT_LANGUAGES


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStamped):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        COMPANY = "company", _("Company")
        THINK_TANK = "think_tank", _("Think tank")
        UNIVERSITY = "university", _("University")
        GOVERNMENT_AGENCY = "government_agency", _("Government agency")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        # People employed (or, for a city, served by its administration's staff).
        MICRO = "1-9", _("1–9 people")
        SMALL = "10-49", _("10–49 people")
        MEDIUM = "50-249", _("50–249 people")
        LARGE = "250-999", _("250–999 people")
        VERY_LARGE = "1000+", _("1,000 people or more")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES)
    city = models.CharField(_("city"), max_length=120)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_language = models.CharField(
        _("language of the description"), max_length=16, choices=CONTENT_LANGUAGES, default="en"
    )
    logo = models.ImageField(_("logo"), upload_to="logos/%Y/", blank=True)
    size = models.CharField(_("size"), max_length=16, choices=Size.choices, blank=True)
    status = FSMField(_("status"), default=Status.PENDING, choices=Status.choices, protected=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The record's key in an interchange file (smartcity-listings/1), if it was imported.
    ref = models.CharField(_("reference"), max_length=100, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "country", name="organisation_unique_name_per_country"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "verified", "rejected"]), name="organisation_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "country", "kind"], name="organisation_directory_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:organisation_detail", kwargs={"slug": self.slug})

    @property
    def side(self) -> Side:
        return country_side(self.country)

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    # The verification workflow, declared once; services fire these.
    @transition(field=status, source=Status.PENDING, target=Status.VERIFIED)
    def verify(self) -> None:
        self.rejection_reason = ""

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, reason: str) -> None:
        self.rejection_reason = reason

    @transition(field=status, source=Status.REJECTED, target=Status.PENDING)
    def resubmit(self) -> None:
        pass


class Membership(TimeStamped):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Asked to join")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    message = models.TextField(_("message"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation"),
            models.CheckConstraint(condition=models.Q(role__in=["admin", "member"]), name="membership_role_valid"),
            models.CheckConstraint(
                condition=models.Q(status__in=["requested", "active", "declined"]), name="membership_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def can_manage(self) -> bool:
        """Admins edit the organisation and decide who belongs to it."""
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def can_act(self) -> bool:
        """Every active member may act for the organisation (post, answer)."""
        return self.is_active


class Topic(TimeStamped):
    """A domain (no parent) or a topic of the shared taxonomy; loaded from the shipped
    file by `taxonomy_load`, edited by coordinators in the admin."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("domain"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    labels = models.JSONField(_("labels"), default=dict, help_text=_("Label per language tag."))
    synonyms = models.JSONField(_("synonyms"), default=dict, blank=True, help_text=_("List of synonyms per language tag."))
    standards = models.JSONField(_("standard references"), default=list, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    version = models.CharField(_("taxonomy version"), max_length=20)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="topic_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.label()

    @property
    def parent_code(self) -> str | None:
        return self.parent.code if self.parent_id else None

    @property
    def is_domain(self) -> bool:
        return self.parent_id is None

    def label(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = language or get_language() or "en"
        key = "zh-hans" if language.startswith("zh") else language
        return self.labels.get(key) or self.labels.get("en") or self.code


class Listing(TimeStamped):
    """What needs and capabilities share: a text in a language, topics, where, who may answer."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")

    class Audience(models.TextChoices):
        OTHER_SIDE = "other_side", _("Partners from the other side of the China–CEE border")
        ANYWHERE = "anywhere", _("Partners from anywhere")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    language = models.CharField(_("language of the text"), max_length=16, choices=CONTENT_LANGUAGES, default="en")
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRY_CHOICES, blank=True)
    audience = models.CharField(_("who may answer"), max_length=16, choices=Audience.choices, default=Audience.OTHER_SIDE)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=False)
    expires_on = models.DateField(_("expires on"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Topics the tagger proposed for the current text; `topics` holds what the author kept.
    suggested_topics = models.JSONField(_("suggested topics"), default=list, blank=True)
    # The record's key in an interchange file (smartcity-listings/1), if it was imported.
    ref = models.CharField(_("reference"), max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-published_at", "-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def effective_city(self) -> str:
        return self.city or self.organisation.city

    @property
    def effective_country(self) -> str:
        return self.country or self.organisation.country

    @transition(field=status, source=Status.DRAFT, target=Status.PUBLISHED)
    def publish(self) -> None:
        pass

    @transition(field=status, source=[Status.DRAFT, Status.PUBLISHED], target=Status.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=status, source=Status.CLOSED, target=Status.DRAFT)
    def reopen(self) -> None:
        pass


class Need(Listing):
    class Stage(models.TextChoices):
        PILOT = "pilot", _("Pilot")
        SCALE_UP = "scale_up", _("Scale-up")

    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="needs")
    budget_min_eur = models.PositiveIntegerField(_("budget from (EUR)"), null=True, blank=True)
    budget_max_eur = models.PositiveIntegerField(_("budget up to (EUR)"), null=True, blank=True)
    wanted_start = models.DateField(_("wanted start"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PILOT)
    population_served = models.PositiveIntegerField(_("population served"), null=True, blank=True)

    class Meta(Listing.Meta):
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_min_eur__isnull=True)
                | models.Q(budget_max_eur__isnull=True)
                | models.Q(budget_min_eur__lte=models.F("budget_max_eur")),
                name="need_budget_range_ordered",
            ),
            models.CheckConstraint(condition=models.Q(status__in=["draft", "published", "closed"]), name="need_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="need_status_expiry_idx")]

    def get_absolute_url(self) -> str:
        return reverse("partners:need_detail", kwargs={"pk": self.pk})


class Capability(Listing):
    class Type(models.TextChoices):
        PRODUCT = "product", _("Product")
        SOLUTION = "solution", _("Solution")
        SERVICE = "service", _("Service")
        EXPERTISE = "expertise", _("Expertise")

    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="capabilities")
    capability_type = models.CharField(_("type"), max_length=16, choices=Type.choices, default=Type.SOLUTION)
    maturity = models.PositiveSmallIntegerField(
        _("maturity (TRL 1–9)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)], help_text=_("Technology readiness level, 1 (idea) to 9 (proven in operation).")
    )
    references = models.TextField(_("references"), blank=True, help_text=_("Where it is deployed."))
    price_min_eur = models.PositiveIntegerField(_("indicative price from (EUR)"), null=True, blank=True)
    price_max_eur = models.PositiveIntegerField(_("indicative price up to (EUR)"), null=True, blank=True)

    class Meta(Listing.Meta):
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_min_eur__isnull=True)
                | models.Q(price_max_eur__isnull=True)
                | models.Q(price_min_eur__lte=models.F("price_max_eur")),
                name="capability_price_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(maturity__isnull=True) | models.Q(maturity__gte=1, maturity__lte=9),
                name="capability_maturity_is_a_trl",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "closed"]), name="capability_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="capability_status_expiry_idx")]

    def get_absolute_url(self) -> str:
        return reverse("partners:capability_detail", kwargs={"pk": self.pk})


class ImportJob(TimeStamped):
    """A coordinator's upload of a smartcity-listings/1 file, processed by a Celery task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    document = models.JSONField(_("document"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("records"), default=0)
    processed = models.PositiveIntegerField(_("records checked"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=["queued", "running", "done", "failed"]), name="importjob_status_valid"),
        ]

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else int(100 * self.processed / self.total) if self.total else 0
