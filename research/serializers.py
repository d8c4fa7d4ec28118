from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from partners.countries import COUNTRY_CHOICES
from partners.languages import CONTENT_LANGUAGES
from partners.models import Organisation, Topic
from research.models import Evaluation, Event, Publication, PublicationTranslation, Registration
from research.schema import NamedChoiceField
from research.timezones import utc_offset_label


def _user(context: dict):
    request = context.get("request")
    return getattr(request, "user", None)


def _visible_projects(context: dict):
    """The projects the caller may see, as the queryset of a related field."""
    from django.db.models import Q
    from projects.models import Project

    from research.permissions import visible_projects

    return Project.objects.filter(Q(is_public=True) | Q(pk__in=visible_projects(_user(context)).values("pk")))


def _visible_publications(context: dict):
    from research.selectors import publication_list_for_user

    return Publication.objects.filter(pk__in=publication_list_for_user(user=_user(context)).values("pk"))


def _topics_field():
    return serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Topic.objects.filter(is_active=True)
    )


class TranslationSerializer(serializers.ModelSerializer):
    language = serializers.ChoiceField(choices=CONTENT_LANGUAGES)
    abstract = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = PublicationTranslation
        fields = ["language", "title", "abstract"]


class PublicationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    authors = serializers.ListField(child=serializers.CharField(max_length=200), required=False)
    topics = _topics_field()
    type = NamedChoiceField(choices=Publication.Type.choices, enum_name="PublicationTypeEnum", default=Publication.Type.REPORT)
    status = NamedChoiceField(choices=Publication.Status.choices, enum_name="PublicationStatusEnum", read_only=True)
    countries = serializers.ListField(
        child=NamedChoiceField(choices=COUNTRY_CHOICES, enum_name="CountryCodeEnum"), required=False, source="country_codes"
    )
    translations = TranslationSerializer(many=True, required=False)
    pdf = serializers.FileField(write_only=True, required=False, help_text="A PDF document (multipart upload), up to 20 MB.")
    pdf_url = serializers.SerializerMethodField()
    is_featured = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    bibtex_url = serializers.SerializerMethodField()
    ris_url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id", "organisation", "organisation_name", "type", "title", "abstract", "language", "authors", "topics",
            "countries", "projects", "translations", "pdf", "pdf_url", "pdf_size", "external_url", "doi", "status",
            "published_at", "is_featured", "url", "bibtex_url", "ris_url", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "pdf_size", "status", "published_at", "created_at", "updated_at"]
        extra_kwargs = {"projects": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        # Only projects the caller may see can be named: others answer as if they did not exist.
        fields["projects"].child_relation.queryset = _visible_projects(self.context)
        return fields

    def get_pdf_url(self, obj: Publication) -> str | None:
        return reverse("research:publication_pdf", kwargs={"pk": obj.pk}) if obj.pdf else None

    def get_url(self, obj: Publication) -> str:
        return obj.get_absolute_url()

    def get_bibtex_url(self, obj: Publication) -> str:
        return reverse("research:publication_bibtex", kwargs={"pk": obj.pk})

    def get_ris_url(self, obj: Publication) -> str:
        return reverse("research:publication_ris", kwargs={"pk": obj.pk})


class FeatureSerializer(serializers.Serializer):
    featured = serializers.BooleanField(default=True)


class EvaluationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    status = NamedChoiceField(choices=Evaluation.Status.choices, enum_name="EvaluationStatusEnum", read_only=True)
    average_score = serializers.FloatField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id", "project", "project_title", "organisation", "organisation_name", "title", "text", "language",
            *(name for name, _label in Evaluation.CRITERIA), "average_score", "kpis", "report", "status",
            "published_at", "url", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "status", "published_at", "created_at", "updated_at"]
        extra_kwargs = {"kpis": {"required": False}, "report": {"required": False}}

    def get_fields(self):
        from projects.models import KPI

        fields = super().get_fields()
        projects = _visible_projects(self.context)
        fields["project"].queryset = projects
        fields["kpis"].child_relation.queryset = KPI.objects.filter(project__in=projects)
        fields["report"].queryset = _visible_publications(self.context)
        for name, _label in Evaluation.CRITERIA:
            fields[name] = serializers.IntegerField(min_value=Evaluation.SCORE_MIN, max_value=Evaluation.SCORE_MAX)
        return fields

    def get_url(self, obj: Evaluation) -> str:
        return obj.get_absolute_url()


class WallClockDateTimeField(serializers.DateTimeField):
    """Keeps a value without an offset naive: the service reads it as a time in the seminar's own zone."""

    def enforce_timezone(self, value):
        return value


class EventSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    co_organisers = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=Organisation.objects.filter(status="verified")
    )
    topics = _topics_field()
    starts_at = WallClockDateTimeField(help_text="ISO 8601; without an offset, a time in the seminar's time zone.")
    ends_at = WallClockDateTimeField(help_text="ISO 8601; without an offset, a time in the seminar's time zone.")
    local_starts_at = serializers.SerializerMethodField()
    local_ends_at = serializers.SerializerMethodField()
    utc_offset = serializers.SerializerMethodField()
    status = NamedChoiceField(choices=Event.Status.choices, enum_name="EventStatusEnum", read_only=True)
    registered_count = serializers.IntegerField(read_only=True)
    is_featured = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id", "organisation", "organisation_name", "co_organisers", "title", "description", "language",
            "starts_at", "ends_at", "timezone", "local_starts_at", "local_ends_at", "utc_offset", "place", "online_url",
            "capacity", "topics", "status", "registered_count", "is_featured", "url", "ics_url", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "status", "created_at", "updated_at"]
        extra_kwargs = {"timezone": {"required": True, "help_text": "IANA name, such as Europe/Warsaw or Asia/Shanghai."}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # The instants, written with the seminar's own UTC offset; local_* give its wall clock alone.
        data["starts_at"] = instance.starts_at.astimezone(instance.zone).isoformat()
        data["ends_at"] = instance.ends_at.astimezone(instance.zone).isoformat()
        return data

    def get_local_starts_at(self, obj: Event) -> str:
        return obj.local_starts_at.replace(tzinfo=None).isoformat(timespec="minutes")

    def get_local_ends_at(self, obj: Event) -> str:
        return obj.local_ends_at.replace(tzinfo=None).isoformat(timespec="minutes")

    def get_utc_offset(self, obj: Event) -> str:
        return utc_offset_label(obj.local_starts_at)

    def get_url(self, obj: Event) -> str:
        return obj.get_absolute_url()

    def get_ics_url(self, obj: Event) -> str:
        return reverse("research:event_ics", kwargs={"pk": obj.pk})


class RegistrationSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = NamedChoiceField(choices=Registration.Status.choices, enum_name="RegistrationStatusEnum", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "event", "name", "email", "organisation", "status", "created_at", "cancelled_at"]
        read_only_fields = fields
