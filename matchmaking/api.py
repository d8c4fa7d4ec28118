"""API for proposals: parties see their own, coordinators all; decisions answer 409 once a proposal is closed."""
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions as drf_permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from matchmaking import selectors, services
from matchmaking.filters import ProposalFilter
from matchmaking.models import Proposal
from matchmaking.serializers import ProposalSerializer, RejectProposalSerializer, RespondSerializer


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProposalSerializer
    permission_classes = [drf_permissions.IsAuthenticated]
    filterset_class = ProposalFilter
    queryset = Proposal.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        return selectors.proposal_list_for_user(user=self.request.user)

    def get_object(self):
        return selectors.proposal_get_for_user(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        proposal = services.proposal_approve(proposal=self.get_object(), by=request.user)
        return Response(ProposalSerializer(selectors.proposal_get_for_user(user=request.user, pk=proposal.pk)).data)

    @extend_schema(request=RejectProposalSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        serializer = RejectProposalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_reject(proposal=self.get_object(), by=request.user, reason=serializer.validated_data["reason"])
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(request=RespondSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_respond(proposal=self.get_object(), by=request.user, response=serializer.validated_data["response"])
        return Response(ProposalSerializer(proposal).data)
