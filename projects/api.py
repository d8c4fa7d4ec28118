"""Project API: projects, parties, agreements, documents, transitions, milestones, KPIs
and the audit trail. `register` adds the viewsets to the site's /api/v1/ router.

Every transition a person fires has its own endpoint, generated from the one
declaration (projects.models via projects.workflow): POST /agreements/{id}/submit/ ...
A refusal answers 403 (the rule says this caller may not) or 409 (not in this state,
or a guard says no), with the message, through core.api.exception_handler.
"""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.response import Response

from projects import selectors, services, workflow
from projects.documents import CONTENT_TYPES
from projects.models import (
    KPI,
    Agreement,
    AgreementSignature,
    AgreementVersion,
    AuditEvent,
    Milestone,
    Project,
    ProjectParty,
)
from projects.serializers import (
    AgreementCreateSerializer,
    AgreementDetailSerializer,
    AgreementSerializer,
    AgreementUpdateSerializer,
    AgreementVersionSerializer,
    ApproveSerializer,
    AuditEventSerializer,
    ConsentSerializer,
    KPICreateSerializer,
    KPISerializer,
    MeasurementSerializer,
    MilestoneCreateSerializer,
    MilestoneSerializer,
    MilestoneUpdateSerializer,
    PartyCreateSerializer,
    PartySerializer,
    ProjectCreateSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    SignatureSerializer,
    SignSerializer,
    StepSerializer,
    VersionUploadSerializer,
)

PROJECT_FILTER = OpenApiParameter("project", int, description="Only this project's rows.")


def _int_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "")
    return int(value) if value.isdigit() else None


class _Scoped(viewsets.GenericViewSet):
    """Lists scoped to the caller's projects, filterable by ?project=<id>."""

    permission_classes = [drf_permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        qs = self.scoped()
        project = _int_param(self.request, "project")
        return qs.filter(project_id=project) if project is not None else qs


def _step_endpoint(model, name: str, service, serializer_class, respond):
    """One POST endpoint for one declared transition."""
    custom = workflow.describe(model, name)
    target_param = {Agreement: "agreement", Project: "project", ProjectParty: "party"}[model]

    def endpoint(self, request, pk=None):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = service(**{target_param: self.get_object()}, by=request.user, **serializer.validated_data)
        return Response(respond(self, result))

    endpoint.__name__ = name
    endpoint.__doc__ = f"{custom['label']}: for {custom['who']}."
    slug = name.replace("_", "-")
    endpoint = extend_schema(request=serializer_class, summary=str(custom["label"]),
                             description=f"For {custom['who']}. 403 if you may not, 409 if not now.")(endpoint)
    return action(detail=True, methods=["post"], url_path=slug, url_name=slug)(endpoint)


def _add_step_endpoints(viewset, model, steps: dict, serializers: dict, respond) -> None:
    for name in workflow.user_transitions(model):
        setattr(viewset, name, _step_endpoint(model, name, steps[name], serializers.get(name, StepSerializer), respond))


# --- Projects and parties ------------------------------------------------------------


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Project.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        return selectors.project_list_for_user(user=self.request.user).prefetch_related("topics")

    def get_object(self):
        return selectors.project_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, project) -> dict:
        project = selectors.project_get_for_user(user=self.request.user, pk=project.pk)
        return ProjectDetailSerializer(project, context=self.get_serializer_context()).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ProjectCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(by=request.user, **serializer.validated_data)
        return Response(self._detail(project), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectUpdateSerializer, responses=ProjectDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = ProjectUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_update(project=self.get_object(), by=request.user, **serializer.validated_data)
        return Response(self._detail(project))

    @extend_schema(responses=AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        events = selectors.project_timeline(project=self.get_object())
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


_add_step_endpoints(ProjectViewSet, Project, services.PROJECT_STEPS, {}, lambda view, project: view._detail(project))


class PartyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = PartySerializer
    queryset = ProjectParty.objects.none()

    def scoped(self):
        return selectors.party_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.party_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=PartyCreateSerializer, responses={201: PartySerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = selectors.project_get_for_user(user=request.user, pk=data.pop("project"))
        party = services.party_add(project=project, by=request.user, **data)
        return Response(PartySerializer(party).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentSerializer, responses=PartySerializer)
    @action(detail=True, methods=["post"], url_path="public-consent", url_name="public-consent")
    def public_consent(self, request, pk=None):
        serializer = ConsentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        party = services.party_set_public_consent(party=self.get_object(), by=request.user, **serializer.validated_data)
        return Response(PartySerializer(party).data)


# The party as the service left it: after declining, its organisation no longer sees the project.
_add_step_endpoints(PartyViewSet, ProjectParty, services.PARTY_STEPS, {}, lambda view, party: PartySerializer(party).data)


# --- Agreements, their versions and signatures ------------------------------------------


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = AgreementSerializer
    queryset = Agreement.objects.none()

    def scoped(self):
        return selectors.agreement_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.agreement_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, agreement) -> dict:
        agreement = selectors.agreement_get_for_user(user=self.request.user, pk=agreement.pk)
        return AgreementDetailSerializer(agreement, context=self.get_serializer_context()).data

    @extend_schema(parameters=[PROJECT_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AgreementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = selectors.project_get_for_user(user=request.user, pk=data.pop("project"))
        agreement = services.agreement_create(project=project, by=request.user, **data)
        return Response(self._detail(agreement), status=status.HTTP_201_CREATED)

    @extend_schema(request=AgreementUpdateSerializer, responses=AgreementDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = AgreementUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = services.agreement_update(agreement=self.get_object(), by=request.user, **serializer.validated_data)
        return Response(self._detail(agreement))


_add_step_endpoints(AgreementViewSet, Agreement, services.AGREEMENT_STEPS,
                    {"approve": ApproveSerializer, "sign": SignSerializer},
                    lambda view, agreement: view._detail(agreement))


def _file_response(fieldfile, name: str, kind: str) -> FileResponse:
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such document."))
    return FileResponse(handle, as_attachment=True, filename=name or "document",
                        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))


class AgreementVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = AgreementVersionSerializer
    queryset = AgreementVersion.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgreementVersion.objects.none()
        qs = selectors.agreement_versions_for_user(user=self.request.user)
        agreement = _int_param(self.request, "agreement")
        return qs.filter(agreement_id=agreement) if agreement is not None else qs

    def get_object(self):
        version = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if version is None:
            raise Http404
        return version

    @extend_schema(request={"multipart/form-data": VersionUploadSerializer}, responses={201: AgreementVersionSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a new document for a draft: PDF, DOCX or ODT (checked by content), up to 10 MB."""
        serializer = VersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agreement = selectors.agreement_get_for_user(user=request.user, pk=data.pop("agreement"))
        version = services.agreement_document_upload(agreement=agreement, by=request.user, **data)
        return Response(AgreementVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        version = selectors.agreement_version_get_for_user(user=request.user, pk=pk)
        return _file_response(version.document, version.document_name, version.document_kind)


class SignatureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = SignatureSerializer
    queryset = AgreementSignature.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgreementSignature.objects.none()
        qs = selectors.signature_list_for_user(user=self.request.user)
        agreement = _int_param(self.request, "agreement")
        return qs.filter(agreement_id=agreement) if agreement is not None else qs

    def get_object(self):
        return selectors.signature_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        signature = self.get_object()
        return _file_response(signature.signed_copy, signature.signed_copy_name, signature.signed_copy_kind)


# --- Milestones, KPIs and the audit trail -----------------------------------------------


class MilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = MilestoneSerializer
    queryset = Milestone.objects.none()

    def scoped(self):
        return selectors.milestone_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.milestone_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=MilestoneCreateSerializer, responses={201: MilestoneSerializer})
    def create(self, request, *args, **kwargs):
        serializer = MilestoneCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = selectors.project_get_for_user(user=request.user, pk=data.pop("project"))
        milestone = services.milestone_create(project=project, by=request.user, **data)
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneUpdateSerializer, responses=MilestoneSerializer)
    def partial_update(self, request, *args, **kwargs):
        serializer = MilestoneUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = services.milestone_update(milestone=self.get_object(), by=request.user, **serializer.validated_data)
        return Response(MilestoneSerializer(milestone).data)


class KPIViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    serializer_class = KPISerializer
    queryset = KPI.objects.none()

    def scoped(self):
        return selectors.kpi_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.kpi_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=KPICreateSerializer, responses={201: KPISerializer})
    def create(self, request, *args, **kwargs):
        serializer = KPICreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = selectors.project_get_for_user(user=request.user, pk=data.pop("project"))
        kpi = services.kpi_create(project=project, by=request.user, **data)
        return Response(KPISerializer(kpi).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeasurementSerializer, responses={201: KPISerializer})
    @action(detail=True, methods=["post"])
    def measure(self, request, pk=None):
        serializer = MeasurementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = self.get_object()
        services.kpi_measurement_record(kpi=kpi, by=request.user, **serializer.validated_data)
        return Response(KPISerializer(selectors.kpi_list_for_user(user=request.user).get(pk=kpi.pk)).data,
                        status=status.HTTP_201_CREATED)


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Scoped):
    """The audit trail: read-only here as everywhere (no update, no delete)."""

    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.none()
    http_method_names = ["get", "head", "options"]

    def scoped(self):
        return selectors.event_list_for_user(user=self.request.user)

    def get_object(self):
        event = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if event is None:
            raise Http404
        return event


def register(router) -> None:
    router.register("projects", ProjectViewSet, basename="project")
    router.register("project-parties", PartyViewSet, basename="party")
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("agreement-versions", AgreementVersionViewSet, basename="agreement-version")
    router.register("agreement-signatures", SignatureViewSet, basename="agreement-signature")
    router.register("milestones", MilestoneViewSet, basename="milestone")
    router.register("kpis", KPIViewSet, basename="kpi")
    router.register("audit-events", AuditEventViewSet, basename="audit-event")
