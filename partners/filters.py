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
