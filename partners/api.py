"""API for organisations and memberships: parse, call a service or selector, serialise."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions as drf_permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView
from django.utils.translation import gettext as _

from core.exceptions import invalid

from partners import permissions, selectors, services
from partners.models import Membership
from partners.filters import ListingFilter, MembershipFilter, OrganisationFilter
from partners.serializers import (
    ActingOrganisationSerializer,
    CapabilitySerializer,
    NeedSerializer,
    TopicSerializer,
    TopicTreeSerializer,
    JoinSerializer,
    MembershipSerializer,
    OrganisationPrivateSerializer,
    OrganisationSerializer,
    RejectSerializer,
    RoleSerializer,
)


class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    lookup_field = "slug"
    filterset_class = OrganisationFilter
    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return selectors.organisation_list_for_user(user=self.request.user).order_by("name")

    def get_object(self):
        write = self.action in ("update", "partial_update")
        return selectors.organisation_get_for_user(user=self.request.user, slug=self.kwargs["slug"], write=write)

    def get_serializer_class(self):
        if self.action in ("retrieve", "create", "update", "partial_update"):
            return OrganisationPrivateSerializer
        return OrganisationSerializer

    def retrieve(self, request, *args, **kwargs):
        organisation = self.get_object()
        private = permissions.can_view_private(request.user, organisation)
        serializer_class = OrganisationPrivateSerializer if private else OrganisationSerializer
        return Response(serializer_class(organisation, context=self.get_serializer_context()).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_create(by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        organisation = self.get_object()
        serializer = self.get_serializer(organisation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_update(organisation=organisation, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(organisation).data)

    @extend_schema(request=None, responses=OrganisationPrivateSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, slug=None):
        organisation = services.organisation_verify(organisation=self.get_object(), by=request.user)
        return Response(OrganisationPrivateSerializer(organisation).data)

    @extend_schema(request=RejectSerializer, responses=OrganisationPrivateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, slug=None):
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = services.organisation_reject(
            organisation=self.get_object(), by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(OrganisationPrivateSerializer(organisation).data)

    @extend_schema(request=None, responses=OrganisationPrivateSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, slug=None):
        organisation = services.organisation_resubmit(organisation=self.get_object(), by=request.user)
        return Response(OrganisationPrivateSerializer(organisation).data)

    @extend_schema(request=JoinSerializer, responses={201: MembershipSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, slug=None):
        serializer = JoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_request(
            organisation=self.get_object(), user=request.user, message=serializer.validated_data["message"]
        )
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = MembershipSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_class = MembershipFilter
    queryset = Membership.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.membership_list_for_user(user=self.request.user).order_by("organisation__name", "user__email")

    def get_object(self):
        return selectors.membership_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def perform_destroy(self, instance):
        services.membership_remove(membership=instance, by=self.request.user)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return Response(MembershipSerializer(services.membership_accept(membership=self.get_object(), by=request.user)).data)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return Response(MembershipSerializer(services.membership_decline(membership=self.get_object(), by=request.user)).data)

    @extend_schema(request=RoleSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def role(self, request, pk=None):
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            membership=self.get_object(), by=request.user, role=serializer.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)


class MeView(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    def _payload(self, user) -> dict:
        acting = user.acting_organisation
        return {
            "email": user.email,
            "full_name": user.full_name,
            "is_coordinator": permissions.is_coordinator(user),
            "acting_organisation": acting.slug if acting else None,
            "memberships": MembershipSerializer(selectors.user_organisations(user=user), many=True).data,
        }

    @extend_schema(responses={200: None})
    def get(self, request):
        return Response(self._payload(request.user))


class ActingOrganisationView(MeView):
    @extend_schema(request=ActingOrganisationSerializer, responses={200: None})
    def post(self, request):
        serializer = ActingOrganisationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = selectors.organisation_get_for_user(user=request.user, slug=serializer.validated_data["organisation"])
        services.user_set_acting_organisation(user=request.user, organisation=organisation)
        return Response(self._payload(request.user))


class _ListingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    kind: str
    filterset_class = ListingFilter

    def get_queryset(self):
        model = services.listing_model(self.kind)
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        return selectors.listing_list_for_user(model=model, user=self.request.user)

    def get_object(self):
        write = self.action in ("update", "partial_update")
        return selectors.listing_get_for_user(
            model=services.listing_model(self.kind), user=self.request.user, pk=self.kwargs["pk"], write=write
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        topics = data.pop("topics", None)
        organisation = request.user.acting_organisation
        if organisation is None:
            raise invalid(_("Choose the organisation you act for first (POST /api/v1/me/acting-organisation/)."))
        listing = services.listing_create(kind=self.kind, organisation=organisation, by=request.user, topics=topics, **data)
        return Response(self.get_serializer(listing).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        listing = self.get_object()
        serializer = self.get_serializer(listing, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        topics = data.pop("topics", None)
        listing = services.listing_update(listing=listing, by=request.user, topics=topics, **data)
        return Response(self.get_serializer(listing).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response(self.get_serializer(services.listing_publish(listing=self.get_object(), by=request.user)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(self.get_serializer(services.listing_close(listing=self.get_object(), by=request.user)).data)


class NeedViewSet(_ListingViewSet):
    kind = "need"
    serializer_class = NeedSerializer


class CapabilityViewSet(_ListingViewSet):
    kind = "capability"
    serializer_class = CapabilitySerializer


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    """The shared taxonomy: every domain and topic with its labels, synonyms and standard references."""

    serializer_class = TopicSerializer
    lookup_field = "code"
    lookup_value_regex = r"[\w.-]+"  # codes are dotted: energy.street-lighting
    pagination_class = None
    permission_classes = [drf_permissions.AllowAny]

    def get_queryset(self):
        from partners.models import Topic

        return Topic.objects.filter(is_active=True).select_related("parent").order_by("position")

    @extend_schema(responses=TopicTreeSerializer(many=True))
    @action(detail=False, methods=["get"])
    def tree(self, request):
        domains = selectors.taxonomy_tree()
        return Response([
            {**TopicTreeSerializer(d).data, "topics": TopicTreeSerializer(d.topics, many=True).data} for d in domains
        ])

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["get"])
    def suggest(self, request):
        """Topics the tagger infers from ?title=…&description=… (any language)."""
        from partners.taxonomy_store import current_tagger

        codes = current_tagger().tag(request.query_params.get("title", ""), request.query_params.get("description", ""))
        return Response({"topics": codes})
