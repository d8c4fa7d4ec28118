"""Shapes of the project API: what it shows, and what it accepts (the rules are the services')."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import Organisation, Topic
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


_CHOICE_FIELDS: dict[str, type] = {}


def choice(component: str, choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose values are one named schema component (AgreementState, PartyRole ...):
    one enum per choice set for API clients, whatever other apps name their own fields."""
    if component not in _CHOICE_FIELDS:
        values = [value for value, _label in choices if value != ""]
        schema = {"type": "string", "enum": values}
        _CHOICE_FIELDS[component] = extend_schema_field(schema, component_name=component)(
            type(f"{component}Field", (serializers.ChoiceField,), {})
        )
    return _CHOICE_FIELDS[component](choices=choices, **kwargs)


COUNTRIES = Project._meta.get_field("country").choices


class PartySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role = choice("PartyRole", ProjectParty.Role.choices, read_only=True)
    status = choice("PartyStatus", ProjectParty.Status.choices, read_only=True)

    class Meta:
        model = ProjectParty
        fields = ["id", "project", "organisation", "organisation_name", "role", "status", "public_consent", "responded_at"]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    parties = PartySerializer(many=True, read_only=True)
    stage = choice("ProjectStage", Project.Stage.choices, read_only=True)
    country = choice("ProjectCountry", COUNTRIES, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "title", "summary", "topics", "city", "country", "stage", "is_public", "proposal", "version",
                  "parties", "created_at", "updated_at"]
        read_only_fields = fields


class ProjectDetailSerializer(ProjectSerializer):
    actions = serializers.SerializerMethodField(help_text="Stage transitions the caller may fire now.")

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, project) -> list[str]:
        from projects.selectors import actions_for

        return [a.name for a in actions_for(project, self.context["request"].user)]


class ProjectCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    city = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    country = choice("ProjectCountry", COUNTRIES, required=False, allow_blank=True, default="")
    topics = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                          queryset=Topic.objects.filter(is_active=True))


class ProjectUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a newer one answers 409.")
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    country = choice("ProjectCountry", COUNTRIES, required=False, allow_blank=True)
    topics = serializers.SlugRelatedField(slug_field="code", many=True, required=False,
                                          queryset=Topic.objects.filter(is_active=True))


class PartyCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    role = choice("PartyRole", ProjectParty.Role.choices)


class ConsentSerializer(serializers.Serializer):
    consent = serializers.BooleanField()


class StepSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ApproveSerializer(StepSerializer):
    version = serializers.IntegerField(required=False, allow_null=True, default=None,
                                       help_text="The version you read; a newer one answers 409.")
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all(), required=False,
                                                allow_null=True, default=None,
                                                help_text="For whom, if you belong to several parties.")


class SignSerializer(ApproveSerializer):
    signatory = serializers.CharField(max_length=200)
    signed_on = serializers.DateField()
    signed_copy = serializers.FileField()


class ApprovalSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = AgreementApproval
        fields = ["organisation", "version", "comment", "created_at"]
        read_only_fields = fields


class SignatureSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = AgreementSignature
        fields = ["id", "agreement", "organisation", "version", "signatory", "signed_on", "signed_copy_name",
                  "signed_copy_kind", "download", "created_at"]
        read_only_fields = fields

    def get_download(self, signature) -> str:
        return reverse("api:agreement-signature-download", args=[signature.pk])


class AgreementSerializer(serializers.ModelSerializer):
    approvals = ApprovalSerializer(many=True, read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)
    type = choice("AgreementType", Agreement.Type.choices, read_only=True)
    state = choice("AgreementState", Agreement.State.choices, read_only=True)

    class Meta:
        model = Agreement
        fields = ["id", "project", "type", "title", "text", "state", "version", "effective_date", "document_name",
                  "document_kind", "approvals", "signatures", "created_at", "updated_at"]
        read_only_fields = fields


class AgreementDetailSerializer(AgreementSerializer):
    actions = serializers.SerializerMethodField(help_text="Transitions the caller may fire now.")

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "actions"]
        read_only_fields = fields

    def get_actions(self, agreement) -> list[str]:
        from projects.selectors import agreement_actions

        return [a.name for a in agreement_actions(agreement=agreement, user=self.context["request"].user)]


class AgreementCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    type = choice("AgreementType", Agreement.Type.choices)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000)
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    document = serializers.FileField(required=False, allow_null=True, default=None)


class AgreementUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you read; a newer one answers 409.")
    type = choice("AgreementType", Agreement.Type.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=100_000)
    effective_date = serializers.DateField(required=False, allow_null=True)


class AgreementVersionSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True, default="")
    download = serializers.SerializerMethodField()

    class Meta:
        model = AgreementVersion
        fields = ["id", "agreement", "number", "title", "text", "document_name", "document_kind", "document_size",
                  "document_sha256", "note", "created_by", "organisation", "created_at", "download"]
        read_only_fields = fields

    def get_download(self, version) -> str | None:
        return reverse("api:agreement-version-download", args=[version.pk]) if version.document else None


class VersionUploadSerializer(serializers.Serializer):
    agreement = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The version you read; a newer one answers 409.")
    document = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class MilestoneSerializer(serializers.ModelSerializer):
    is_overdue = serializers.SerializerMethodField()
    status = choice("MilestoneStatus", Milestone.Status.choices, read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "project", "agreement", "title", "due_on", "status", "done_at", "is_overdue"]
        read_only_fields = fields

    def get_is_overdue(self, milestone) -> bool:
        return milestone.is_overdue()


class MilestoneCreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    status = choice("MilestoneStatus", Milestone.Status.choices, default=Milestone.Status.PLANNED)
    agreement = serializers.IntegerField(required=False, allow_null=True, default=None)


class MilestoneUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    due_on = serializers.DateField(required=False)
    status = choice("MilestoneStatus", Milestone.Status.choices, required=False)
    agreement = serializers.IntegerField(required=False, allow_null=True)


class MeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = KPIMeasurement
        fields = ["measured_on", "value"]


class KPISerializer(serializers.ModelSerializer):
    measurements = MeasurementSerializer(many=True, read_only=True)

    class Meta:
        model = KPI
        fields = ["id", "project", "name", "unit", "baseline", "target", "measurements"]
        read_only_fields = fields


class KPICreateSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=40)
    baseline = serializers.FloatField()
    target = serializers.FloatField()


class AuditEventSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor = serializers.CharField(source="actor_name", read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "project", "agreement", "action", "description", "from_state", "to_state", "actor",
                  "organisation", "comment", "data", "created_at"]
        read_only_fields = fields
