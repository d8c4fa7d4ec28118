from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from partners.countries import BY_CODE
from partners.models import Capability, Membership, Need, Organisation, Topic


class OrganisationSerializer(serializers.ModelSerializer):
    country_name = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id", "slug", "name", "kind", "country", "country_name", "side", "city", "website", "description",
            "description_language", "logo", "size", "status", "url", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "slug", "status", "created_at", "updated_at"]

    def get_country_name(self, obj: Organisation) -> dict:
        country = BY_CODE[obj.country]
        return {"en": country.name_en, "zh-hans": country.name_zh}

    def get_side(self, obj: Organisation) -> str:
        return obj.side.value

    def get_url(self, obj: Organisation) -> str:
        return obj.get_absolute_url()

    def validate_logo(self, logo):
        if logo and logo.size > settings.LOGO_MAX_BYTES:
            raise serializers.ValidationError(_("The logo is larger than 1 MB."))
        return logo

    def get_validators(self):
        # Name-per-country uniqueness is checked by the service, with its own message.
        return []


class OrganisationPrivateSerializer(OrganisationSerializer):
    """Seen by the organisation's members and coordinators."""

    class Meta(OrganisationSerializer.Meta):
        fields = OrganisationSerializer.Meta.fields + ["rejection_reason", "reviewed_at"]
        read_only_fields = OrganisationSerializer.Meta.read_only_fields + ["rejection_reason", "reviewed_at"]


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class JoinSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class MembershipSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)
    organisation_slug = serializers.SlugField(source="organisation.slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id", "user_email", "organisation", "organisation_slug", "organisation_name", "role", "status",
            "message", "created_at", "decided_at",
        ]
        read_only_fields = fields


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class ActingOrganisationSerializer(serializers.Serializer):
    organisation = serializers.SlugField()


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_coordinator = serializers.BooleanField()
    acting_organisation = serializers.CharField(allow_null=True)
    memberships = MembershipSerializer(many=True)


class TopicSerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["code", "domain", "labels", "synonyms", "standards", "version"]

    def get_domain(self, obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class TopicTreeSerializer(serializers.Serializer):
    code = serializers.CharField()
    labels = serializers.DictField()
    standards = serializers.ListField()
    open_needs = serializers.IntegerField()
    open_capabilities = serializers.IntegerField()


class _ListingSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    topics = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=Topic.objects.filter(is_active=True)
    )
    url = serializers.SerializerMethodField()

    COMMON = ["id", "ref", "organisation", "organisation_name", "title", "description", "language", "city", "country",
              "audience", "topics", "suggested_topics", "status", "expires_on", "published_at", "url", "created_at",
              "updated_at"]
    READ_ONLY = ["id", "ref", "organisation", "suggested_topics", "status", "published_at", "created_at", "updated_at"]

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class NeedSerializer(_ListingSerializer):
    class Meta:
        model = Need
        fields = _ListingSerializer.COMMON + ["budget_min_eur", "budget_max_eur", "wanted_start", "stage", "population_served"]
        read_only_fields = _ListingSerializer.READ_ONLY
        extra_kwargs = {"expires_on": {"required": False}}


class CapabilitySerializer(_ListingSerializer):
    class Meta:
        model = Capability
        fields = _ListingSerializer.COMMON + ["capability_type", "maturity", "references", "price_min_eur", "price_max_eur"]
        read_only_fields = _ListingSerializer.READ_ONLY
        extra_kwargs = {"expires_on": {"required": False}}
