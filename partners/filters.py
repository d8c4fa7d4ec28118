import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.countries import COUNTRY_CHOICES
from partners.models import Membership, Organisation


class OrganisationFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(choices=COUNTRY_CHOICES)
    kind = django_filters.ChoiceFilter(choices=Organisation.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Organisation.Status.choices)
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Organisation
        fields = ["country", "kind", "status", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value) | Q(description__icontains=value))


class MembershipFilter(django_filters.FilterSet):
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    status = django_filters.ChoiceFilter(choices=Membership.Status.choices)
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields = ["organisation", "status", "role"]


class ListingFilter(django_filters.FilterSet):
    """The same filters as the browse pages (see partners.selectors.listing_browse)."""

    q = django_filters.CharFilter(method="_noop", label=_("Search"))
    topic = django_filters.CharFilter(method="_noop", label=_("Topic code (a domain includes its topics)"))
    country = django_filters.ChoiceFilter(method="_noop", choices=COUNTRY_CHOICES)
    kind = django_filters.ChoiceFilter(method="_noop", choices=Organisation.Kind.choices, label=_("Organisation kind"))
    language = django_filters.CharFilter(method="_noop")
    budget_min = django_filters.NumberFilter(method="_noop", min_value=0)
    budget_max = django_filters.NumberFilter(method="_noop", min_value=0)
    status = django_filters.ChoiceFilter(choices=[("draft", "draft"), ("published", "published"), ("closed", "closed")])

    def _noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        # Validated values go to the one selector that pages and API share.
        from partners.selectors import listing_filter

        queryset = super().filter_queryset(queryset)
        return listing_filter(queryset, model=queryset.model, filters=self.form.cleaned_data)
