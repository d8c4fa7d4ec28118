import pytest
from django.utils import translation

from partners.models import Membership
from tests.factories import MembershipFactory
from tests.research.factories import EventFactory, PublicationFactory, ThinkTankFactory


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """A request to /zh-hans/ leaves Chinese active in the thread; messages read after it must not depend on that."""
    with translation.override("en"):
        yield


@pytest.fixture
def think_tank(db):
    return ThinkTankFactory(name="Prague Institute for Urban Research", slug="prague-institute-cz")


@pytest.fixture
def researcher(think_tank):
    """An active member of the think tank, outside every shared persona."""
    from tests.factories import UserFactory

    user = UserFactory(email="researcher@example.org", full_name="Jana Nováková")
    MembershipFactory(user=user, organisation=think_tank, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def project_world(think_tank, organisation):
    """A project of the city (lead) that the think tank evaluates, with two KPIs."""
    from projects.models import KPI, Project, ProjectParty

    project = Project.objects.create(title="LED street lighting pilot in Sofia")
    ProjectParty.objects.create(project=project, organisation=organisation, role="lead", status="accepted")
    ProjectParty.objects.create(project=project, organisation=think_tank, role="evaluator", status="accepted")
    kpis = [
        KPI.objects.create(project=project, name="Energy used by street lights", unit="MWh/year", baseline=1200, target=700),
        KPI.objects.create(project=project, name="Lamps replaced", unit="lamps", baseline=0, target=2000),
    ]
    return {"project": project, "kpis": kpis}


@pytest.fixture
def world(organisation, pending_organisation, member, org_admin, coordinator, superuser, outsider, think_tank, project_world):
    """Every persona and object of the research access matrix.

    `member` is a member and `org_admin` an administrator of the think tank (besides
    their city); the others belong to none of it."""
    from research.models import Evaluation, Registration

    MembershipFactory(user=member, organisation=think_tank, role=Membership.Role.MEMBER)
    MembershipFactory(user=org_admin, organisation=think_tank, role=Membership.Role.ADMIN)
    project, kpis = project_world["project"], project_world["kpis"]
    scores = dict(relevance=5, effectiveness=4, efficiency=3, impact=4, sustainability=3)
    published_event = EventFactory(organisation=think_tank)
    Registration.objects.create(event=published_event, user=member)
    published_evaluation = Evaluation.objects.create(
        project=project, organisation=think_tank, title="Mid-term evaluation", text="On track.", status="published",
        published_at=published_event.published_at, **scores,
    )
    published_evaluation.kpis.set(kpis)
    return {
        "think_tank": think_tank,
        "project": project,
        "kpis": kpis,
        "published": PublicationFactory(organisation=think_tank),
        "draft": PublicationFactory(organisation=think_tank, status="draft", published_at=None),
        "published_evaluation": published_evaluation,
        "draft_evaluation": Evaluation.objects.create(
            project=project, organisation=think_tank, title="Final evaluation", text="Draft.", **scores
        ),
        "published_event": published_event,
        "draft_event": EventFactory(organisation=think_tank, status="draft", published_at=None),
    }
