from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partners import services
from partners.demo import DEMO_PASSWORD, LISTINGS, ORGANISATIONS, USERS
from partners.models import Membership, Organisation
from partners.permissions import COORDINATORS_GROUP
from partners.taxonomy_store import taxonomy_load


class Command(BaseCommand):
    help = "Load the demo organisations and accounts (idempotent: a second run changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        created_topics, _updated = taxonomy_load()
        User = get_user_model()
        users = {}
        for spec in USERS:
            user = User.objects.filter(email=spec.email).first()
            if user is None:
                if spec.role == "superuser":
                    user = User.objects.create_superuser(spec.email, DEMO_PASSWORD, full_name=spec.name)
                else:
                    user = User.objects.create_user(spec.email, DEMO_PASSWORD, full_name=spec.name)
            EmailAddress.objects.get_or_create(
                user=user, email=spec.email, defaults={"verified": True, "primary": True}
            )
            if spec.role == "coordinator":
                user.groups.add(Group.objects.get_or_create(name=COORDINATORS_GROUP)[0])
                if not user.is_staff:  # coordinators edit the taxonomy in the admin
                    user.is_staff = True
                    user.save(update_fields=["is_staff"])
            users[spec.email] = user

        coordinator = users["coordinator@demo.example.org"]
        owners = {key: spec for spec in USERS if spec.role == "admin" for key in spec.organisations}
        created = 0
        for spec in ORGANISATIONS:
            organisation = Organisation.objects.filter(name__iexact=spec.name, country=spec.country).first()
            owner = owners.get(spec.key)
            if organisation is None:
                creator = users[owner.email] if owner else coordinator
                organisation = services.organisation_create(
                    by=creator, name=spec.name, kind=spec.kind, country=spec.country, city=spec.city,
                    website=spec.website, description=spec.description, description_language=spec.language,
                    size=spec.size,
                )
                if creator == coordinator:
                    organisation.memberships.filter(user=coordinator).delete()
                created += 1
                if spec.verified:
                    services.organisation_verify(organisation=organisation, by=coordinator)
            for member in (u for u in USERS if u.role == "member" and spec.key in u.organisations):
                Membership.objects.get_or_create(
                    user=users[member.email], organisation=organisation,
                    defaults={"role": Membership.Role.MEMBER, "status": Membership.Status.ACTIVE},
                )
        for spec in USERS:
            user = users[spec.email]
            if user.acting_organisation_id is None and spec.organisations:
                user.acting_organisation = Organisation.objects.filter(
                    memberships__user=user, memberships__status=Membership.Status.ACTIVE
                ).first()
                user.save(update_fields=["acting_organisation"])
        listings = self._load_listings(users)
        self._load_research(users["thinktank@demo.example.org"])
        self.stdout.write(
            f"Demo data ready: {created} organisations and {listings} listings created "
            f"({len(ORGANISATIONS)} organisations, {len(LISTINGS)} listings in the demo set)."
        )

    def _load_research(self, author) -> None:
        """One policy brief and one upcoming seminar of the demo think tank, through the research services."""
        import datetime

        from research import services as research
        from research.models import Event, Publication

        institute = Organisation.objects.get(name="China–CEE Institute")
        if not Publication.objects.filter(organisation=institute).exists():
            brief = research.publication_create(
                organisation=institute, by=author, type="policy_brief", language="en",
                title="Pilots before programmes: sequencing China–CEE smart-city cooperation",
                abstract=(
                    "Some 160 sister-city pairs link China and the CEE countries, yet only a few countries run joint "
                    "smart-city pilots. We propose choosing pilots by each city's digital readiness, easy before hard, with "
                    "shared data-exchange standards and KPIs agreed before contracts."
                ),
                authors=["Anna Kovács", "Li Wei"], countries=["BG", "RS", "HU", "CN"],
                external_url="https://china-cee.eu/",
            )
            research.publication_publish(publication=brief, by=author)
        if not Event.objects.filter(organisation=institute).exists():
            starts = (timezone.localtime() + datetime.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0, tzinfo=None)
            seminar = research.event_create(
                organisation=institute, by=author, title="China–CEE smart-city think-tank seminar",
                description="Results of the first pilots, and the common standards for data exchange.",
                starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), timezone="Europe/Budapest",
                place="Budapest", capacity=80,
            )
            research.event_publish(event=seminar, by=author)

    def _load_listings(self, users) -> int:
        """Post each demo listing as the organisation's admin, through the same services as the pages."""
        by_key = {spec.key: spec for spec in ORGANISATIONS}
        admins = {key: users[u.email] for u in USERS if u.role == "admin" for key in u.organisations}
        created = 0
        for spec in LISTINGS:
            org_spec = by_key[spec.organisation]
            organisation = Organisation.objects.get(name__iexact=org_spec.name, country=org_spec.country)
            model = services.listing_model(spec.kind)
            if model.objects.filter(organisation=organisation, title=spec.title).exists():
                continue
            listing = services.listing_create(
                kind=spec.kind, organisation=organisation, by=admins[spec.organisation], title=spec.title,
                description=spec.description, language=spec.language, **dict(spec.extra),
            )
            services.listing_publish(listing=listing, by=admins[spec.organisation])
            created += 1
        return created
