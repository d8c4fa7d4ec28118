"""Input shapes of the research pages; the services decide what is allowed."""
from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.countries import COUNTRY_CHOICES
from partners.forms import TopicChoiceField
from partners.languages import CONTENT_LANGUAGES
from partners.models import Organisation, Topic
from research.models import Evaluation, Event, Publication
from research.timezones import zone_choices


def _topic_field(help_text=None) -> TopicChoiceField:
    return TopicChoiceField(
        label=_("Topics"),
        required=False,
        queryset=Topic.objects.filter(is_active=True, parent__isnull=False).select_related("parent").order_by("position"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=help_text,
    )


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, organisation):
        return f"{organisation.name} ({organisation.get_kind_display()})"


class PublicationForm(forms.ModelForm):
    organisation = OrganisationChoiceField(label=_("Published by"), queryset=Organisation.objects.none(), empty_label=None)
    authors = forms.CharField(
        label=_("Authors"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line, in the order they are to be cited."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries concerned"), required=False, choices=COUNTRY_CHOICES, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Linked projects"), required=False, queryset=None, widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=_("Projects your organisation takes part in."),
    )
    pdf = forms.FileField(
        label=_("PDF"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("A PDF document, up to 20 MB."),
    )
    external_url = forms.URLField(label=_("External link"), required=False, assume_scheme="https",
                                  help_text=_("Where it is published, if not uploaded here (or as well)."))

    class Meta:
        model = Publication
        fields = ["organisation", "type", "title", "abstract", "language", "authors", "doi", "external_url", "pdf"]
        widgets = {"abstract": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, organisations=None, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topic_field()
        self.fields["projects"].queryset = projects
        self.order_fields(["organisation", "type", "title", "abstract", "language", "authors", "topics", "countries",
                           "projects", "pdf", "external_url", "doi"])
        if self.instance.pk:
            # The publishing organisation does not change once the draft exists.
            del self.fields["organisation"]
            self.initial.update({
                "authors": "\n".join(self.instance.authors),
                "topics": [t.pk for t in self.instance.topics.all()],
                "countries": [c.country for c in self.instance.countries.all()],
                "projects": list(self.instance.projects.values_list("pk", flat=True)),
            })
        else:
            self.fields["organisation"].queryset = organisations

    def _post_clean(self):
        # The model instance is the service's to change: skip ModelForm's construct_instance/validation.
        pass


class TranslationForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", "—")] + list(CONTENT_LANGUAGES))
    title = forms.CharField(label=_("Translated title"), required=False, max_length=300)
    abstract = forms.CharField(label=_("Translated abstract"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        data = super().clean()
        if data.get("language") and not data.get("title"):
            self.add_error("title", _("A translation needs its title."))
        if data.get("title") and not data.get("language"):
            self.add_error("language", _("Say which language this translation is in."))
        return data


TranslationFormSet = forms.formset_factory(TranslationForm, extra=1, max_num=20)


def translation_formset(data=None, *, publication: Publication | None = None):
    initial = [
        {"language": t.language, "title": t.title, "abstract": t.abstract} for t in publication.translations.all()
    ] if publication else []
    return TranslationFormSet(data, initial=initial, prefix="translations")


def translations_from(formset) -> list[dict]:
    return [form.cleaned_data for form in formset if form.cleaned_data.get("language")]


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", _("All countries"))] + COUNTRY_CHOICES)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types"))] + list(Publication.Type.choices))
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("", _("All languages"))] + list(CONTENT_LANGUAGES))

    def __init__(self, *args, topics=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        topics = topics if topics is not None else Topic.objects.filter(is_active=True).order_by("position")
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (t.code, t.label() if t.parent_id is None else f"— {t.label()}") for t in topics
        ]
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]


class EvaluationForm(forms.ModelForm):
    organisation = OrganisationChoiceField(label=_("Evaluated by"), queryset=Organisation.objects.none(), empty_label=None)
    kpis = forms.ModelMultipleChoiceField(
        label=_("KPIs referred to"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )
    report = forms.ModelChoiceField(label=_("Full report in the library"), required=False, queryset=None)

    class Meta:
        model = Evaluation
        fields = ["organisation", "title", "text", "language", *(name for name, _label in Evaluation.CRITERIA), "kpis", "report"]
        widgets = {"text": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, project, organisations=None, reports=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpis"].queryset = project.kpis.order_by("pk")
        self.fields["report"].queryset = reports if reports is not None else Publication.objects.none()
        for name, label in Evaluation.CRITERIA:
            self.fields[name] = forms.TypedChoiceField(
                label=label, coerce=int, choices=[(str(n), str(n)) for n in range(Evaluation.SCORE_MIN, Evaluation.SCORE_MAX + 1)],
                widget=forms.RadioSelect, help_text=_("1 = poor, 5 = excellent"),
                initial=getattr(self.instance, name, None),
            )
        if self.instance.pk:
            del self.fields["organisation"]
            self.initial["kpis"] = [k.pk for k in self.instance.kpis.all()]
        else:
            self.fields["organisation"].queryset = organisations

    def _post_clean(self):
        pass


class WallClockField(forms.DateTimeField):
    """A date and time on the seminar's own clock: it stays naive until the service pins it to the seminar's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y-%m-%d %H:%M")):
            try:
                return parse(str(value).strip())
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class EventForm(forms.ModelForm):
    organisation = OrganisationChoiceField(label=_("Organised by"), queryset=Organisation.objects.none(), empty_label=None)
    starts_at = WallClockField(label=_("Starts"), help_text=_("Local time at the seminar, in the time zone below."))
    ends_at = WallClockField(label=_("Ends"))
    timezone = forms.ChoiceField(label=_("Time zone"), choices=zone_choices)
    online_url = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    co_organisers = forms.ModelMultipleChoiceField(
        label=_("Co-organisers"), required=False,
        queryset=Organisation.objects.filter(status=Organisation.Status.VERIFIED).order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Event
        fields = ["organisation", "title", "description", "language", "starts_at", "ends_at", "timezone", "place",
                  "online_url", "capacity", "co_organisers"]
        widgets = {"description": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"capacity": _("Leave empty for no limit.")}

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"] = _topic_field()
        if self.instance.pk:
            del self.fields["organisation"]
            self.initial.update({
                "starts_at": self.instance.local_starts_at.replace(tzinfo=None),
                "ends_at": self.instance.local_ends_at.replace(tzinfo=None),
                "topics": [t.pk for t in self.instance.topics.all()],
                "co_organisers": [o.pk for o in self.instance.co_organisers.all()],
            })
        else:
            self.fields["organisation"].queryset = organisations

    def _post_clean(self):
        pass


class FeatureForm(forms.Form):
    featured = forms.BooleanField(required=False)
