from django import forms
from django.utils.translation import gettext_lazy as _

from matchmaking.models import Proposal
from partners.countries import COUNTRY_CHOICES
from partners.models import Topic


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=Proposal.Status.choices)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", _("All countries"))] + COUNTRY_CHOICES)
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(is_active=True).order_by("position")
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (t.code, t.label() if t.parent_id is None else f"— {t.label()}") for t in topics
        ]


class RejectProposalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class BulkRejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000)
    proposals = forms.ModelMultipleChoiceField(queryset=Proposal.objects.filter(status=Proposal.Status.SUGGESTED))
