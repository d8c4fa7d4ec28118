from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partners.countries import COUNTRY_CHOICES
from partners.models import Capability, Membership, Need, Organisation, Topic


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "city", "website", "description", "description_language", "logo", "size"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "description": _("What your organisation does, in the language chosen below."),
            "logo": _("PNG, JPEG or WebP, up to 1 MB."),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > settings.LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        return logo

    def _get_validation_exclusions(self):
        # Name-per-country uniqueness is the service's rule; it answers beside the
        # name field with a clear message, so the model's generic check is skipped.
        return super()._get_validation_exclusions() | {"name"}


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", _("All countries"))] + COUNTRY_CHOICES)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + list(Organisation.Kind.choices)
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, topic):
        return f"{topic.parent.label()} › {topic.label()}" if topic.parent_id else topic.label()


def _topic_field() -> TopicChoiceField:
    return TopicChoiceField(
        label=_("Topics"),
        required=False,
        queryset=Topic.objects.filter(is_active=True, parent__isnull=False).select_related("parent").order_by("position"),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Leave empty to let the platform infer them from your text; you can change them afterwards."),
    )


class _ListingForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topic_field()
        if self.instance.pk:
            self.initial["topics"] = list(self.instance.topics.values_list("pk", flat=True))
        self.fields["expires_on"].required = False
        self.fields["expires_on"].help_text = _("Leave empty for twelve months from today.")
        self.fields["country"].help_text = _("Where it applies; leave empty for your organisation's country.")


LISTING_WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 8}),
    "expires_on": forms.DateInput(attrs={"type": "date"}),
    "wanted_start": forms.DateInput(attrs={"type": "date"}),
    "references": forms.Textarea(attrs={"rows": 3}),
}


class NeedForm(_ListingForm):
    class Meta:
        model = Need
        fields = ["title", "description", "language", "city", "country", "audience", "budget_min_eur", "budget_max_eur",
                  "wanted_start", "stage", "population_served", "expires_on"]
        widgets = LISTING_WIDGETS


class CapabilityForm(_ListingForm):
    class Meta:
        model = Capability
        fields = ["title", "description", "language", "city", "country", "audience", "capability_type", "maturity",
                  "references", "price_min_eur", "price_max_eur", "expires_on"]
        widgets = LISTING_WIDGETS


class ListingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", _("All countries"))] + COUNTRY_CHOICES)
    kind = forms.ChoiceField(label=_("Organisation kind"), required=False,
                             choices=[("", _("All kinds"))] + list(Organisation.Kind.choices))
    language = forms.ChoiceField(label=_("Language"), required=False)
    budget_min = forms.IntegerField(label=_("Budget from (EUR)"), required=False, min_value=0)
    budget_max = forms.IntegerField(label=_("Budget up to (EUR)"), required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        from partners.languages import CONTENT_LANGUAGES

        super().__init__(*args, **kwargs)
        topics = Topic.objects.filter(is_active=True).select_related("parent").order_by("position")
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (t.code, t.label() if t.parent_id is None else f"— {t.label()}") for t in topics
        ]
        self.fields["language"].choices = [("", _("All languages"))] + list(CONTENT_LANGUAGES)
