from rest_framework import serializers

from matchmaking.models import Proposal


class ProposalSerializer(serializers.ModelSerializer):
    need_title = serializers.CharField(source="need.title", read_only=True)
    need_organisation = serializers.CharField(source="need.organisation.slug", read_only=True)
    capability_title = serializers.CharField(source="capability.title", read_only=True)
    capability_organisation = serializers.CharField(source="capability.organisation.slug", read_only=True)
    project = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "need", "need_title", "need_organisation", "capability", "capability_title", "capability_organisation",
            "score", "rank", "contributions", "matched_topics", "reasons_en", "reasons_zh", "status", "rejection_reason",
            "need_response", "capability_response", "decided_at", "computed_at", "project",
        ]
        read_only_fields = fields

    def get_project(self, obj) -> int | None:
        project = getattr(obj, "project", None)
        return project.pk if project else None


class RejectProposalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RespondSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=[("interested", "interested"), ("declined", "declined")])
