import django_filters

from matchmaking.models import Proposal


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)
    need = django_filters.NumberFilter()
    capability = django_filters.NumberFilter()

    class Meta:
        model = Proposal
        fields = ["status", "need", "capability"]
