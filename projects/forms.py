"""The shape of what the project pages accept; the rules are the services'."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.countries import COUNTRY_CHOICES
from partners.models import Organisation, Topic
from projects.documents import MAX_DOCUMENT_BYTES
from projects.models import Agreement, Milestone, ProjectParty



def _document_help() -> str:
    return gettext("PDF, DOCX or ODT, up to %(mb)d MB.") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}


DOCUMENT_HELP = lazy(_document_help, str)()
ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document," \
         "application/vnd.oasis.opendocument.text"


class _TopicField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, topic):
        return f"{topic.parent.label()} › {topic.label()}" if topic.parent_id else topic.label()


def _topics() -> _TopicField:
    return _TopicField(
        label=_("Topics"), required=False,
        queryset=Topic.objects.filter(is_active=True, parent__isnull=False).select_related("parent").order_by("position"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", "—"), *COUNTRY_CHOICES])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topics()


class ProjectEditForm(ProjectForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PartyAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.filter(status=Organisation.Status.VERIFIED).order_by("name")
    )
    role = forms.ChoiceField(label=_("Role"), choices=ProjectParty.Role.choices)


class AgreementForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=Agreement.Type.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 14}), max_length=100_000)
    effective_date = forms.DateField(
        label=_("Effective date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Once signed, it comes into force on this date (or when a coordinator says so)."),
    )


class AgreementCreateForm(AgreementForm):
    document = forms.FileField(label=_("Document"), required=False, help_text=DOCUMENT_HELP,
                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class AgreementEditForm(AgreementForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentUploadForm(forms.Form):
    document = forms.FileField(label=_("New document"), help_text=DOCUMENT_HELP,
                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """Any transition: a comment (required where the declaration says so) and the version seen."""

    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organisation = forms.IntegerField(required=False)


class SignatureForm(StepForm):
    signatory = forms.CharField(label=_("Signatory"), max_length=200, help_text=_("Name and position of the person who signed."))
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    signed_copy = forms.FileField(label=_("Signed copy"), help_text=DOCUMENT_HELP,
                                  widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].initial = timezone.localdate


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices, initial=Milestone.Status.PLANNED)
    agreement = forms.TypedChoiceField(label=_("Agreement"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agreements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement"].choices = [("", "—"), *[(a.pk, a.title) for a in agreements]]


class MilestoneStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class KPIForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(label=_("Unit"), max_length=40)
    baseline = forms.FloatField(label=_("Baseline"))
    target = forms.FloatField(label=_("Target"))


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(label=_("Measured on"), widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.FloatField(label=_("Value"))
