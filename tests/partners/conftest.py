import pytest

from partners.models import Membership
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def join_request(organisation):
    """Someone outside every persona asks to join the verified organisation."""
    return MembershipFactory(
        user=UserFactory(email="applicant@example.org"), organisation=organisation, status=Membership.Status.REQUESTED
    )


@pytest.fixture
def world(organisation, pending_organisation, member, org_admin, coordinator, superuser, outsider, join_request):
    """Every persona and object the access matrix needs, created before the request."""
    return {
        "organisation": organisation,
        "pending": pending_organisation,
        "join_request": join_request,
        "member_membership": Membership.objects.get(user=member, organisation=organisation),
    }


@pytest.fixture
def listings(world, taxonomy):
    """A published and a draft need of the verified organisation, a published capability elsewhere."""
    from tests.factories import CapabilityFactory, NeedFactory

    return {
        "published_need": NeedFactory(organisation=world["organisation"]),
        "draft_need": NeedFactory(organisation=world["organisation"], status="draft", published_at=None),
        "draft_capability": CapabilityFactory(organisation=world["organisation"], status="draft", published_at=None),
        "published_capability": CapabilityFactory(organisation=world["organisation"]),
        "capability": CapabilityFactory(),
    }


@pytest.fixture
def proposal_world(world, listings):
    """A proposal about the organisation's published need, and the project of an approved one."""
    from matchmaking.models import Proposal
    from projects.models import Project, ProjectParty
    from django.utils import timezone

    proposal = Proposal.objects.create(
        need=listings["published_need"], capability=listings["capability"], score=0.7, computed_at=timezone.now()
    )
    project = Project.objects.create(title="LED pilot")
    ProjectParty.objects.create(project=project, organisation=world["organisation"], role="lead")
    ProjectParty.objects.create(project=project, organisation=listings["capability"].organisation, role="partner")
    return {**world, "listings": listings, "proposal": proposal, "project": project}
