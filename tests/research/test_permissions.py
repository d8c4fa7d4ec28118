"""The access matrix of the research pages and API: every route × every persona.

`member` is a member and `org_admin` an administrator of the think tank that publishes,
evaluates the project and organises the seminars (see conftest.world). Drafts are
private to them (and superusers); coordinators feature what is published.

tests/partners/test_permissions.py's test_every_route_is_in_the_matrix reads
COVERED_ROUTES from here: a research route missing from these matrices fails it.
"""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LOGIN = "login"  # an anonymous visitor is sent to the sign-in page


def _personas(anonymous, outsider, member, org_admin, coordinator, superuser) -> dict:
    return dict(anonymous=anonymous, outsider=outsider, member=member, org_admin=org_admin,
                coordinator=coordinator, superuser=superuser)


ALL_200 = _personas(200, 200, 200, 200, 200, 200)
# A draft: only the organisation's members and superusers see it.
DRAFT_PAGE = _personas(404, 404, 200, 200, 404, 200)
DRAFT_ACTION = _personas(LOGIN, 404, 302, 302, 404, 302)
EDIT_PAGE = _personas(LOGIN, 403, 200, 200, 403, 200)
ACT_ON_PUBLISHED = _personas(LOGIN, 403, 302, 302, 403, 302)
CREATE_PAGE = _personas(LOGIN, 302, 200, 200, 302, 200)  # no think tank to act for: sent to choose one
FEATURE = _personas(LOGIN, 403, 403, 403, 302, 302)
SIGNED_IN_ACT = _personas(LOGIN, 302, 302, 302, 302, 302)

PAGE_MATRIX = {
    "research:library": ("get", lambda w: reverse("research:library"), None, ALL_200),
    "research:publication_feed": ("get", lambda w: reverse("research:publication_feed"), None, ALL_200),
    "research:publication_create": ("get", lambda w: reverse("research:publication_create"), None, CREATE_PAGE),
    "research:publication_detail": ("get", lambda w: w["draft"].get_absolute_url(), None, DRAFT_PAGE),
    "research:publication_edit": ("get", lambda w: reverse("research:publication_edit", args=[w["published"].pk]), None,
                                  EDIT_PAGE),
    "research:publication_publish": ("post", lambda w: reverse("research:publication_publish", args=[w["draft"].pk]), {},
                                     DRAFT_ACTION),
    "research:publication_feature": ("post", lambda w: reverse("research:publication_feature", args=[w["published"].pk]),
                                     {"featured": "on"}, FEATURE),
    "research:publication_pdf": ("get", lambda w: reverse("research:publication_pdf", args=[w["draft_with_pdf"].pk]), None,
                                 DRAFT_PAGE),
    "research:publication_bibtex": ("get", lambda w: reverse("research:publication_bibtex", args=[w["published"].pk]), None,
                                    ALL_200),
    "research:publication_ris": ("get", lambda w: reverse("research:publication_ris", args=[w["draft"].pk]), None,
                                 DRAFT_PAGE),
    "research:evaluation_list": ("get", lambda w: reverse("research:evaluation_list"), None, ALL_200),
    # The project is private to its parties: outsiders do not learn it exists.
    "research:evaluation_create": ("get", lambda w: reverse("research:evaluation_create", args=[w["project"].pk]), None,
                                   _personas(LOGIN, 404, 200, 200, 403, 200)),
    "research:evaluation_detail": ("get", lambda w: w["draft_evaluation"].get_absolute_url(), None, DRAFT_PAGE),
    "research:evaluation_edit": ("get", lambda w: reverse("research:evaluation_edit", args=[w["published_evaluation"].pk]),
                                 None, _personas(LOGIN, 404, 200, 200, 403, 200)),
    "research:evaluation_publish": ("post", lambda w: reverse("research:evaluation_publish", args=[w["draft_evaluation"].pk]),
                                    {}, DRAFT_ACTION),
    "research:event_list": ("get", lambda w: reverse("research:event_list"), None, ALL_200),
    "research:events_ics": ("get", lambda w: reverse("research:events_ics"), None, ALL_200),
    "research:event_create": ("get", lambda w: reverse("research:event_create"), None, CREATE_PAGE),
    "research:event_detail": ("get", lambda w: w["draft_event"].get_absolute_url(), None, DRAFT_PAGE),
    "research:event_edit": ("get", lambda w: reverse("research:event_edit", args=[w["published_event"].pk]), None, EDIT_PAGE),
    "research:event_publish": ("post", lambda w: reverse("research:event_publish", args=[w["draft_event"].pk]), {},
                               DRAFT_ACTION),
    "research:event_cancel": ("post", lambda w: reverse("research:event_cancel", args=[w["published_event"].pk]), {},
                              ACT_ON_PUBLISHED),
    "research:event_feature": ("post", lambda w: reverse("research:event_feature", args=[w["published_event"].pk]),
                               {"featured": "on"}, FEATURE),
    "research:event_ics": ("get", lambda w: reverse("research:event_ics", args=[w["published_event"].pk]), None, ALL_200),
    "research:event_register": ("post", lambda w: reverse("research:event_register", args=[w["published_event"].pk]), {},
                                SIGNED_IN_ACT),
    "research:event_unregister": ("post", lambda w: reverse("research:event_unregister", args=[w["published_event"].pk]), {},
                                  SIGNED_IN_ACT),
    "research:event_registrations": ("get", lambda w: reverse("research:event_registrations", args=[w["published_event"].pk]),
                                     None, EDIT_PAGE),
    "research:event_registrations_csv": ("get", lambda w: reverse("research:event_registrations_csv",
                                                                  args=[w["published_event"].pk]), None, EDIT_PAGE),
    "research:my_research": ("get", lambda w: reverse("research:my_research"), None, _personas(LOGIN, 200, 200, 200, 200, 200)),
}

SCORES = dict(relevance=4, effectiveness=4, efficiency=3, impact=5, sustainability=4)
API_DRAFT = _personas(404, 404, 200, 200, 404, 200)
API_CREATE = _personas(403, 403, 201, 201, 403, 201)
API_EDIT = _personas(403, 403, 200, 200, 403, 200)
API_DRAFT_ACTION = _personas(403, 404, 200, 200, 404, 200)
API_FEATURE = _personas(403, 403, 403, 403, 200, 200)

API_MATRIX = {
    "api:publication-list GET": ("get", lambda w: reverse("api:publication-list"), None, ALL_200),
    "api:publication-list POST": ("post", lambda w: reverse("api:publication-list"),
                                  lambda w: {"organisation": w["think_tank"].slug, "type": "policy_brief",
                                             "title": "Open data for tram priority", "abstract": "Why and how.",
                                             "external_url": "https://example.org/brief"},
                                  API_CREATE),
    "api:publication-detail GET": ("get", lambda w: reverse("api:publication-detail", args=[w["draft"].pk]), None, API_DRAFT),
    "api:publication-detail PATCH": ("patch", lambda w: reverse("api:publication-detail", args=[w["published"].pk]),
                                     {"title": "Changed"}, API_EDIT),
    "api:publication-publish": ("post", lambda w: reverse("api:publication-publish", args=[w["draft"].pk]), {},
                                API_DRAFT_ACTION),
    "api:publication-feature": ("post", lambda w: reverse("api:publication-feature", args=[w["published"].pk]),
                                {"featured": True}, API_FEATURE),
    "api:evaluation-list GET": ("get", lambda w: reverse("api:evaluation-list"), None, ALL_200),
    "api:evaluation-list POST": ("post", lambda w: reverse("api:evaluation-list"),
                                 lambda w: {"project": w["project"].pk, "organisation": w["think_tank"].slug,
                                            "title": "Ex-post evaluation", "text": "Results.", "language": "en",
                                            "kpis": [k.pk for k in w["kpis"]], **SCORES},
                                 # To an outsider the private project does not exist: 400, as for a wrong id.
                                 _personas(403, 400, 201, 201, 403, 201)),
    "api:evaluation-detail GET": ("get", lambda w: reverse("api:evaluation-detail", args=[w["draft_evaluation"].pk]), None,
                                  API_DRAFT),
    "api:evaluation-detail PATCH": ("patch", lambda w: reverse("api:evaluation-detail", args=[w["published_evaluation"].pk]),
                                    {"impact": 2}, _personas(403, 404, 200, 200, 403, 200)),
    "api:evaluation-publish": ("post", lambda w: reverse("api:evaluation-publish", args=[w["draft_evaluation"].pk]), {},
                               API_DRAFT_ACTION),
    "api:event-list GET": ("get", lambda w: reverse("api:event-list"), None, ALL_200),
    "api:event-list POST": ("post", lambda w: reverse("api:event-list"),
                            lambda w: {"organisation": w["think_tank"].slug, "title": "Standards for city data",
                                       "description": "A seminar.", "starts_at": "2099-06-11T10:00",
                                       "ends_at": "2099-06-11T12:00", "timezone": "Europe/Warsaw",
                                       "online_url": "https://meet.example.org/standards"},
                            API_CREATE),
    "api:event-detail GET": ("get", lambda w: reverse("api:event-detail", args=[w["draft_event"].pk]), None, API_DRAFT),
    "api:event-detail PATCH": ("patch", lambda w: reverse("api:event-detail", args=[w["published_event"].pk]),
                               {"title": "Changed"}, API_EDIT),
    "api:event-publish": ("post", lambda w: reverse("api:event-publish", args=[w["draft_event"].pk]), {}, API_DRAFT_ACTION),
    "api:event-cancel": ("post", lambda w: reverse("api:event-cancel", args=[w["published_event"].pk]), {}, API_EDIT),
    "api:event-feature": ("post", lambda w: reverse("api:event-feature", args=[w["published_event"].pk]),
                          {"featured": True}, API_FEATURE),
    # `member` registered in the world already.
    "api:event-register": ("post", lambda w: reverse("api:event-register", args=[w["published_event"].pk]), {},
                           _personas(403, 201, 409, 201, 201, 201)),
    "api:event-unregister": ("post", lambda w: reverse("api:event-unregister", args=[w["published_event"].pk]), {},
                             _personas(403, 409, 200, 409, 409, 409)),
    "api:event-registrations": ("get", lambda w: reverse("api:event-registrations", args=[w["published_event"].pk]), None,
                                API_EDIT),
}

COVERED_ROUTES: set[str] = set(PAGE_MATRIX) | {key.split(" ")[0] for key in API_MATRIX}

# The API routes this app registers (basenames in research/api.py).
RESEARCH_API_PREFIXES = ("api:publication-", "api:evaluation-", "api:event-")


@pytest.fixture
def matrix_world(world):
    from django.core.files.base import ContentFile

    from tests.research.factories import PublicationFactory, pdf_bytes

    draft_with_pdf = PublicationFactory(organisation=world["think_tank"], status="draft", published_at=None, external_url="")
    draft_with_pdf.pdf.save("report.pdf", ContentFile(pdf_bytes()), save=True)
    return {**world, "draft_with_pdf": draft_with_pdf}


def _cases(matrix):
    for route, (method, url, data, expected) in matrix.items():
        for persona in PERSONAS:
            yield pytest.param(route, method, url, data, persona, expected[persona], id=f"{route}-{persona}")


def _call(client, method, url, data, api):
    if api and data is not None:
        return getattr(client, method)(url, data, content_type="application/json")
    if data is not None:
        return getattr(client, method)(url, data)
    return getattr(client, method)(url)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(PAGE_MATRIX)))
def test_page_access(route, method, url, data, persona, expected, matrix_world, persona_user, client_for):
    data = data(matrix_world) if callable(data) else data
    response = _call(client_for(persona_user(persona)), method, url(matrix_world), data, api=False)
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(API_MATRIX)))
def test_api_access(route, method, url, data, persona, expected, matrix_world, persona_user, client_for):
    data = data(matrix_world) if callable(data) else data
    response = _call(client_for(persona_user(persona)), method, url(matrix_world), data, api=True)
    assert response.status_code == expected, response.content[:300]


def _route_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_research_route_is_in_the_matrix():
    names = {
        name for name in _route_names(get_resolver())
        if name.startswith("research:") or name.startswith(RESEARCH_API_PREFIXES)
    }
    # The router's format-suffix variants share their route's name, so names are enough.
    assert sorted(names - COVERED_ROUTES) == []
    assert sorted(COVERED_ROUTES - names) == [], "the matrix names routes that do not exist"


# --- Beyond the status codes: what each one may see -----------------------------


def test_drafts_are_not_listed_to_outsiders_in_the_api_or_the_library(matrix_world, client_for, outsider, member):
    draft = matrix_world["draft"]
    outsider_ids = {row["id"] for row in client_for(outsider).get(reverse("api:publication-list")).json()["results"]}
    member_ids = {row["id"] for row in client_for(member).get(reverse("api:publication-list")).json()["results"]}
    assert draft.pk not in outsider_ids and draft.pk in member_ids
    page = client_for(member).get(reverse("research:library")).content.decode()
    assert draft.title not in page, "the public library lists published work only, even to the authors"
    assert matrix_world["published"].title in page


def test_the_media_url_of_a_draft_pdf_is_not_guessable(matrix_world):
    name = matrix_world["draft_with_pdf"].pdf.name
    assert "report" not in name and len(name.rsplit("/", 1)[-1]) >= 32 + len(".pdf")


def test_evaluations_of_a_private_project_are_hidden_from_outsiders(matrix_world, client_for, outsider, coordinator):
    outsider_list = client_for(outsider).get(reverse("api:evaluation-list")).json()["results"]
    coordinator_list = client_for(coordinator).get(reverse("api:evaluation-list")).json()["results"]
    assert outsider_list == []
    assert [row["id"] for row in coordinator_list] == [matrix_world["published_evaluation"].pk]


def test_a_public_project_shows_its_published_evaluations_to_anyone(matrix_world, anonymous_client):
    project = matrix_world["project"]
    project.is_public = True
    project.save(update_fields=["is_public"])
    ids = [row["id"] for row in anonymous_client.get(reverse("api:evaluation-list")).json()["results"]]
    assert ids == [matrix_world["published_evaluation"].pk]
    assert anonymous_client.get(matrix_world["published_evaluation"].get_absolute_url()).status_code == 200
    assert anonymous_client.get(matrix_world["draft_evaluation"].get_absolute_url()).status_code == 404


def test_only_the_organisers_see_the_registrations(matrix_world, client_for, member, outsider):
    url = reverse("api:event-registrations", args=[matrix_world["published_event"].pk])
    rows = client_for(member).get(url).json()["results"]
    assert [row["email"] for row in rows] == ["member@example.org"]
    assert client_for(outsider).get(url).status_code == 403
