"""Research API viewsets; `register` adds them to the site's /api/v1/ router.

Reading is open to all for what is published; drafts only to the members of the
organisation that wrote them; only those members change them.
"""
from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, parsers, permissions as drf_permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partners.countries import COUNTRY_CHOICES
from research import selectors, services
from research.models import Evaluation, Event, Publication
from research.serializers import (
    EvaluationSerializer,
    EventSerializer,
    FeatureSerializer,
    PublicationSerializer,
    RegistrationSerializer,
)


class PublicationFilter(django_filters.FilterSet):
    """The library's filters (see research.selectors.publication_filter)."""

    q = django_filters.CharFilter(method="_noop")
    topic = django_filters.CharFilter(method="_noop", help_text="Topic code (a domain includes its topics)")
    country = django_filters.ChoiceFilter(method="_noop", choices=COUNTRY_CHOICES)
    type = django_filters.ChoiceFilter(method="_noop", choices=Publication.Type.choices)
    year = django_filters.NumberFilter(method="_noop", min_value=1900, max_value=2999)
    language = django_filters.CharFilter(method="_noop")
    organisation = django_filters.CharFilter(method="_noop", help_text="Slug of the publishing organisation")
    status = django_filters.ChoiceFilter(choices=Publication.Status.choices)

    class Meta:
        model = Publication
        fields = ["status"]

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        return selectors.publication_filter(queryset, filters=self.form.cleaned_data)


def _split_relations(data: dict, names: tuple[str, ...]) -> tuple[dict, dict]:
    data = dict(data)
    relations = {name: data.pop(name) for name in names if name in data}
    return data, relations


class _WriteThroughServices:
    """Shared by the viewsets: writes go to the services, reads to the scoped selectors."""

    write_actions = ("update", "partial_update")

    def _write(self) -> bool:
        return self.action in self.write_actions


class PublicationViewSet(
    _WriteThroughServices, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    serializer_class = PublicationSerializer
    filterset_class = PublicationFilter
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]
    queryset = Publication.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Publication.objects.none()
        return selectors.publication_list_for_user(user=self.request.user).prefetch_related("projects")

    def get_object(self):
        return selectors.publication_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=self._write())

    def _service_kwargs(self, validated: dict) -> dict:
        data, relations = _split_relations(validated, ("topics", "country_codes", "projects", "translations"))
        if "country_codes" in relations:
            relations["countries"] = relations.pop("country_codes")
        return {**data, **relations}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = self._service_kwargs(serializer.validated_data)
        publication = services.publication_create(organisation=data.pop("organisation"), by=request.user, **data)
        return Response(self.get_serializer(self._reloaded(publication)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        publication = self.get_object()
        serializer = self.get_serializer(publication, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = self._service_kwargs(serializer.validated_data)
        if data.get("organisation") == publication.organisation:
            data.pop("organisation")
        publication = services.publication_update(publication=publication, by=request.user, **data)
        return Response(self.get_serializer(self._reloaded(publication)).data)

    def _reloaded(self, publication: Publication) -> Publication:
        return selectors.publication_get_for_user(user=self.request.user, pk=publication.pk)

    @extend_schema(request=None, responses=PublicationSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        publication = services.publication_publish(publication=self.get_object(), by=request.user)
        return Response(self.get_serializer(self._reloaded(publication)).data)

    @extend_schema(request=FeatureSerializer, responses=PublicationSerializer)
    @action(detail=True, methods=["post"])
    def feature(self, request, pk=None):
        serializer = FeatureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        publication = services.publication_feature(
            publication=self.get_object(), by=request.user, featured=serializer.validated_data["featured"]
        )
        return Response(self.get_serializer(self._reloaded(publication)).data)


class EvaluationViewSet(
    _WriteThroughServices, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    serializer_class = EvaluationSerializer
    queryset = Evaluation.objects.none()
    filterset_fields = ["project", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evaluation.objects.none()
        return selectors.evaluation_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.evaluation_get_for_user(user=self.request.user, pk=self.kwargs["pk"], write=self._write())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evaluation = services.evaluation_create(
            project=data.pop("project"), organisation=data.pop("organisation"), by=request.user, **data
        )
        return Response(self.get_serializer(evaluation).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        evaluation = self.get_object()
        serializer = self.get_serializer(evaluation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for fixed in ("project", "organisation"):
            if data.get(fixed) == getattr(evaluation, fixed):
                data.pop(fixed)
        evaluation = services.evaluation_update(evaluation=evaluation, by=request.user, **data)
        return Response(self.get_serializer(evaluation).data)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        evaluation = services.evaluation_publish(evaluation=self.get_object(), by=request.user)
        return Response(self.get_serializer(evaluation).data)


class EventViewSet(
    _WriteThroughServices, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    mixins.UpdateModelMixin, viewsets.GenericViewSet,
):
    serializer_class = EventSerializer
    queryset = Event.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return selectors.event_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.event_get_for_user(user=self.request.user, pk=self.kwargs["pk"], manage=self._write())

    def _reloaded(self, event: Event) -> Event:
        return selectors.event_get_for_user(user=self.request.user, pk=event.pk)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        event = services.event_create(organisation=data.pop("organisation"), by=request.user, **data)
        return Response(self.get_serializer(self._reloaded(event)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("organisation") == event.organisation:
            data.pop("organisation")
        event = services.event_update(event=event, by=request.user, **data)
        return Response(self.get_serializer(self._reloaded(event)).data)

    def _transition(self, service, **kwargs):
        event = service(event=self.get_object(), by=self.request.user, **kwargs)
        return Response(self.get_serializer(self._reloaded(event)).data)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._transition(services.event_publish)

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(services.event_cancel)

    @extend_schema(request=FeatureSerializer, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def feature(self, request, pk=None):
        serializer = FeatureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._transition(services.event_feature, featured=serializer.validated_data["featured"])

    @extend_schema(request=None, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"], permission_classes=[drf_permissions.IsAuthenticated])
    def register(self, request, pk=None):
        registration = services.registration_create(event=self.get_object(), user=request.user)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"], permission_classes=[drf_permissions.IsAuthenticated])
    def unregister(self, request, pk=None):
        registration = services.registration_cancel(event=self.get_object(), user=request.user)
        return Response(RegistrationSerializer(registration).data)

    @extend_schema(responses=RegistrationSerializer(many=True))
    @action(detail=True, methods=["get"], permission_classes=[drf_permissions.IsAuthenticated])
    def registrations(self, request, pk=None):
        """Who registered (cancelled ones included, with their status): for the organisers."""
        registrations = selectors.event_registrations(event=self.get_object(), user=request.user, include_cancelled=True)
        page = self.paginate_queryset(registrations)
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)


def register(router) -> None:
    router.register("publications", PublicationViewSet, basename="publication")
    router.register("evaluations", EvaluationViewSet, basename="evaluation")
    router.register("events", EventViewSet, basename="event")
