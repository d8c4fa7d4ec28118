from __future__ import annotations

from django.conf import settings
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
