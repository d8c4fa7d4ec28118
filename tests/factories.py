from datetime import date, timedelta

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from partners.models import Membership, Organisation
from partners.permissions import COORDINATORS_GROUP

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CoordinatorFactory(UserFactory):
    @factory.post_generation
    def coordinator_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.CITY
    country = "BG"
    city = "Sofia"
    description = "A smart city partner."
    status = Organisation.Status.VERIFIED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Need"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Smart street lighting pilot {n}")
    description = "We want to replace 2,000 street lights with dimmable LED lamps and remote control."
    language = "en"
    status = "published"
    published_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=365))


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "partners.Capability"

    organisation = factory.SubFactory(OrganisationFactory, country="CN", city="Hangzhou", kind="company")
    title = factory.Sequence(lambda n: f"Intelligent lighting controller {n}")
    description = "Remote-managed LED street lighting with dimming schedules."
    language = "en"
    status = "published"
    maturity = 8
    published_at = factory.LazyFunction(timezone.now)
    expires_on = factory.LazyFunction(lambda: date.today() + timedelta(days=365))
