from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partners.countries import COUNTRY_CHOICES
from partners.models import Membership, Organisation


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
