"""The access matrix: every organisation and membership page and API operation × every persona.

A route missing from the matrix fails `test_every_route_is_in_the_matrix`.
"""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

LOGIN = "login"  # an anonymous visitor is sent to the sign-in page

# route name -> (method, url(world), data, {persona: expected status})
PAGE_MATRIX = {
    "partners:directory": ("get", lambda w: reverse("partners:directory"), None,
                           dict(anonymous=200, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "partners:organisation_create": ("get", lambda w: reverse("partners:organisation_create"), None,
                                     dict(anonymous=LOGIN, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "partners:organisation_detail": ("get", lambda w: w["pending"].get_absolute_url(), None,
                                     dict(anonymous=404, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
    "partners:organisation_edit": ("get", lambda w: reverse("partners:organisation_edit", args=[w["organisation"].slug]), None,
                                   dict(anonymous=LOGIN, outsider=403, member=403, org_admin=200, coordinator=403, superuser=200)),
    "partners:organisation_resubmit": ("post", lambda w: reverse("partners:organisation_resubmit", args=[w["organisation"].slug]), {},
                                       dict(anonymous=LOGIN, outsider=403, member=403, org_admin=302, coordinator=403, superuser=302)),
    "partners:organisation_join": ("post", lambda w: reverse("partners:organisation_join", args=[w["pending"].slug]), {},
                                   dict(anonymous=LOGIN, outsider=404, member=302, org_admin=302, coordinator=302, superuser=302)),
    "partners:set_acting_organisation": ("post", lambda w: reverse("partners:set_acting_organisation", args=[w["organisation"].slug]), {},
                                         dict(anonymous=LOGIN, outsider=403, member=302, org_admin=302, coordinator=403, superuser=403)),
    "partners:organisation_verify": ("post", lambda w: reverse("partners:organisation_verify", args=[w["pending"].slug]), {},
                                     dict(anonymous=LOGIN, outsider=403, member=403, org_admin=403, coordinator=302, superuser=302)),
    "partners:organisation_reject": ("post", lambda w: reverse("partners:organisation_reject", args=[w["pending"].slug]), {"reason": "Unknown"},
                                     dict(anonymous=LOGIN, outsider=403, member=403, org_admin=403, coordinator=302, superuser=302)),
    "partners:membership_accept": ("post", lambda w: reverse("partners:membership_accept", args=[w["join_request"].pk]), {},
                                   dict(anonymous=LOGIN, outsider=404, member=404, org_admin=302, coordinator=403, superuser=302)),
    "partners:membership_decline": ("post", lambda w: reverse("partners:membership_decline", args=[w["join_request"].pk]), {},
                                    dict(anonymous=LOGIN, outsider=404, member=404, org_admin=302, coordinator=403, superuser=302)),
    "partners:membership_change_role": ("post", lambda w: reverse("partners:membership_change_role", args=[w["member_membership"].pk]), {"role": "admin"},
                                        dict(anonymous=LOGIN, outsider=404, member=403, org_admin=302, coordinator=403, superuser=302)),
    "partners:membership_remove": ("post", lambda w: reverse("partners:membership_remove", args=[w["member_membership"].pk]), {},
                                   dict(anonymous=LOGIN, outsider=404, member=302, org_admin=302, coordinator=403, superuser=302)),
    "partners:my_organisations": ("get", lambda w: reverse("partners:my_organisations"), None,
                                  dict(anonymous=LOGIN, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "partners:review_queue": ("get", lambda w: reverse("partners:review_queue"), None,
                              dict(anonymous=LOGIN, outsider=403, member=403, org_admin=403, coordinator=200, superuser=200)),
}

API_MATRIX = {
    "api:organisation-list GET": ("get", lambda w: reverse("api:organisation-list"), None,
                                  dict(anonymous=200, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:organisation-list POST": ("post", lambda w: reverse("api:organisation-list"),
                                   {"name": "Municipality of Ljubljana", "kind": "city", "country": "SI", "city": "Ljubljana"},
                                   dict(anonymous=403, outsider=201, member=201, org_admin=201, coordinator=201, superuser=201)),
    "api:organisation-detail GET": ("get", lambda w: reverse("api:organisation-detail", args=[w["pending"].slug]), None,
                                    dict(anonymous=404, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:organisation-detail PATCH": ("patch", lambda w: reverse("api:organisation-detail", args=[w["organisation"].slug]), {"city": "Sofia-grad"},
                                      dict(anonymous=403, outsider=403, member=403, org_admin=200, coordinator=403, superuser=200)),
    "api:organisation-verify": ("post", lambda w: reverse("api:organisation-verify", args=[w["pending"].slug]), {},
                                dict(anonymous=403, outsider=404, member=403, org_admin=403, coordinator=200, superuser=200)),
    "api:organisation-reject": ("post", lambda w: reverse("api:organisation-reject", args=[w["pending"].slug]), {"reason": "No website"},
                                dict(anonymous=403, outsider=404, member=403, org_admin=403, coordinator=200, superuser=200)),
    "api:organisation-resubmit": ("post", lambda w: reverse("api:organisation-resubmit", args=[w["organisation"].slug]), {},
                                  dict(anonymous=403, outsider=403, member=403, org_admin=409, coordinator=403, superuser=409)),
    "api:organisation-join": ("post", lambda w: reverse("api:organisation-join", args=[w["organisation"].slug]), {},
                              dict(anonymous=403, outsider=201, member=409, org_admin=409, coordinator=201, superuser=201)),
    "api:membership-list": ("get", lambda w: reverse("api:membership-list"), None,
                            dict(anonymous=403, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:membership-detail GET": ("get", lambda w: reverse("api:membership-detail", args=[w["join_request"].pk]), None,
                                  dict(anonymous=403, outsider=404, member=404, org_admin=200, coordinator=200, superuser=200)),
    "api:membership-detail DELETE": ("delete", lambda w: reverse("api:membership-detail", args=[w["member_membership"].pk]), None,
                                     dict(anonymous=403, outsider=404, member=204, org_admin=204, coordinator=403, superuser=204)),
    "api:membership-accept": ("post", lambda w: reverse("api:membership-accept", args=[w["join_request"].pk]), {},
                              dict(anonymous=403, outsider=404, member=404, org_admin=200, coordinator=403, superuser=200)),
    "api:membership-decline": ("post", lambda w: reverse("api:membership-decline", args=[w["join_request"].pk]), {},
                               dict(anonymous=403, outsider=404, member=404, org_admin=200, coordinator=403, superuser=200)),
    "api:membership-role": ("post", lambda w: reverse("api:membership-role", args=[w["member_membership"].pk]), {"role": "admin"},
                            dict(anonymous=403, outsider=404, member=403, org_admin=200, coordinator=403, superuser=200)),
    "api:me": ("get", lambda w: reverse("api:me"), None,
               dict(anonymous=403, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:me-acting-organisation": ("post", lambda w: reverse("api:me-acting-organisation"), {"organisation": "sofia-municipality-bg"},
                                   dict(anonymous=403, outsider=403, member=200, org_admin=200, coordinator=403, superuser=403)),
}

ALL_200 = dict(anonymous=200, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)


def _listing_matrices(kind: str, plural: str, api_name: str):
    """Needs and capabilities share their rules; `w["listings"]` holds a draft and a published one of each."""
    draft, published = f"draft_{kind}", f"published_{kind}"
    pages = {
        f"partners:{kind}_list": ("get", lambda w: reverse(f"partners:{kind}_list"), None, ALL_200),
        f"partners:{kind}_create": ("get", lambda w: reverse(f"partners:{kind}_create"), None,
                                    # without an organisation to act for, one is sent to choose it
                                    dict(anonymous=LOGIN, outsider=302, member=302, org_admin=200, coordinator=302, superuser=302)),
        f"partners:{kind}_detail": ("get", lambda w: w["listings"][draft].get_absolute_url(), None,
                                    dict(anonymous=404, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
        f"partners:{kind}_edit": ("get", lambda w: reverse(f"partners:{kind}_edit", args=[w["listings"][published].pk]), None,
                                  dict(anonymous=LOGIN, outsider=403, member=200, org_admin=200, coordinator=403, superuser=200)),
        f"partners:{kind}_publish": ("post", lambda w: reverse(f"partners:{kind}_publish", args=[w["listings"][draft].pk]), {},
                                     dict(anonymous=LOGIN, outsider=404, member=302, org_admin=302, coordinator=403, superuser=302)),
        f"partners:{kind}_close": ("post", lambda w: reverse(f"partners:{kind}_close", args=[w["listings"][published].pk]), {},
                                   dict(anonymous=LOGIN, outsider=403, member=302, org_admin=302, coordinator=403, superuser=302)),
    }
    api = {
        f"api:{api_name}-list GET": ("get", lambda w: reverse(f"api:{api_name}-list"), None, ALL_200),
        f"api:{api_name}-list POST": ("post", lambda w: reverse(f"api:{api_name}-list"),
                                      {"title": "Traffic lights", "description": "Adaptive traffic signal control"},
                                      dict(anonymous=403, outsider=400, member=400, org_admin=201, coordinator=400, superuser=400)),
        f"api:{api_name}-detail GET": ("get", lambda w: reverse(f"api:{api_name}-detail", args=[w["listings"][draft].pk]), None,
                                       dict(anonymous=404, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
        f"api:{api_name}-detail PATCH": ("patch", lambda w: reverse(f"api:{api_name}-detail", args=[w["listings"][published].pk]),
                                         {"title": "Changed"},
                                         dict(anonymous=403, outsider=403, member=200, org_admin=200, coordinator=403, superuser=200)),
        f"api:{api_name}-publish": ("post", lambda w: reverse(f"api:{api_name}-publish", args=[w["listings"][draft].pk]), {},
                                    dict(anonymous=403, outsider=404, member=200, org_admin=200, coordinator=403, superuser=200)),
        f"api:{api_name}-close": ("post", lambda w: reverse(f"api:{api_name}-close", args=[w["listings"][published].pk]), {},
                                  dict(anonymous=403, outsider=403, member=200, org_admin=200, coordinator=403, superuser=200)),
    }
    return pages, api


LISTING_PAGE_MATRIX, LISTING_API_MATRIX = {}, {}
for _kind, _plural, _api in (("need", "needs", "need"), ("capability", "capabilities", "capability")):
    _pages, _apis = _listing_matrices(_kind, _plural, _api)
    LISTING_PAGE_MATRIX.update(_pages)
    LISTING_API_MATRIX.update(_apis)
LISTING_PAGE_MATRIX["partners:taxonomy"] = ("get", lambda w: reverse("partners:taxonomy"), None, ALL_200)
LISTING_API_MATRIX.update({
    "api:topic-list": ("get", lambda w: reverse("api:topic-list"), None, ALL_200),
    "api:topic-detail": ("get", lambda w: reverse("api:topic-detail", args=["energy.street-lighting"]), None, ALL_200),
    "api:topic-tree": ("get", lambda w: reverse("api:topic-tree"), None, ALL_200),
    "api:topic-suggest": ("get", lambda w: reverse("api:topic-suggest") + "?title=LED+street+lighting", None, ALL_200),
})

COORDINATORS_ONLY = dict(anonymous=LOGIN, outsider=403, member=403, org_admin=403, coordinator=200, superuser=200)
COORDINATORS_ACT = dict(anonymous=LOGIN, outsider=403, member=403, org_admin=403, coordinator=302, superuser=302)
SIGNED_IN = dict(anonymous=LOGIN, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)
MATCH_PAGE_MATRIX = {
    "matchmaking:review_queue": ("get", lambda w: reverse("matchmaking:review_queue"), None, COORDINATORS_ONLY),
    "matchmaking:proposals_reject_bulk": ("post", lambda w: reverse("matchmaking:proposals_reject_bulk"),
                                          lambda w: {"reason": "No", "proposals": [w["proposal"].pk]}, COORDINATORS_ACT),
    "matchmaking:proposal_detail": ("get", lambda w: reverse("matchmaking:proposal_detail", args=[w["proposal"].pk]), None,
                                    COORDINATORS_ONLY),
    "matchmaking:proposal_approve": ("post", lambda w: reverse("matchmaking:proposal_approve", args=[w["proposal"].pk]), {},
                                     COORDINATORS_ACT),
    "matchmaking:proposal_reject": ("post", lambda w: reverse("matchmaking:proposal_reject", args=[w["proposal"].pk]),
                                    {"reason": "No"}, COORDINATORS_ACT),
    "matchmaking:matching_status": ("get", lambda w: reverse("matchmaking:matching_status"), None, COORDINATORS_ONLY),
    "matchmaking:matching_start": ("post", lambda w: reverse("matchmaking:matching_start"), {}, COORDINATORS_ACT),
    "matchmaking:my_proposals": ("get", lambda w: reverse("matchmaking:my_proposals"), None, SIGNED_IN),
    "matchmaking:proposal_respond": ("post", lambda w: reverse("matchmaking:proposal_respond", args=[w["proposal"].pk]),
                                     {"response": "interested"},
                                     dict(anonymous=LOGIN, outsider=404, member=302, org_admin=302, coordinator=403, superuser=403)),
    "projects:project_list": ("get", lambda w: reverse("projects:project_list"), None, SIGNED_IN),
    "projects:project_detail": ("get", lambda w: w["project"].get_absolute_url(), None,
                                dict(anonymous=LOGIN, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
}
MATCH_API_MATRIX = {
    "api:proposal-list": ("get", lambda w: reverse("api:proposal-list"), None,
                          dict(anonymous=403, outsider=200, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:proposal-detail": ("get", lambda w: reverse("api:proposal-detail", args=[w["proposal"].pk]), None,
                            dict(anonymous=403, outsider=404, member=200, org_admin=200, coordinator=200, superuser=200)),
    "api:proposal-approve": ("post", lambda w: reverse("api:proposal-approve", args=[w["proposal"].pk]), {},
                             dict(anonymous=403, outsider=404, member=403, org_admin=403, coordinator=200, superuser=200)),
    "api:proposal-reject": ("post", lambda w: reverse("api:proposal-reject", args=[w["proposal"].pk]), {"reason": "No"},
                            dict(anonymous=403, outsider=404, member=403, org_admin=403, coordinator=200, superuser=200)),
    "api:proposal-respond": ("post", lambda w: reverse("api:proposal-respond", args=[w["proposal"].pk]),
                             {"response": "interested"},
                             dict(anonymous=403, outsider=404, member=200, org_admin=200, coordinator=403, superuser=403)),
}

# Routes that are not about organisations or memberships, or are covered elsewhere.
NOT_IN_MATRIX = {"api:api-root", "api:auth-token"}


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


def _check(client, method, url, data, expected, *, world, api):
    data = data(world) if callable(data) else data
    response = _call(client, method, url(world), data, api=api)
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(PAGE_MATRIX)))
def test_page_access(route, method, url, data, persona, expected, world, persona_user, client_for):
    _check(client_for(persona_user(persona)), method, url, data, expected, world=world, api=False)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(API_MATRIX)))
def test_api_access(route, method, url, data, persona, expected, world, persona_user, client_for):
    _check(client_for(persona_user(persona)), method, url, data, expected, world=world, api=True)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(LISTING_PAGE_MATRIX)))
def test_listing_page_access(route, method, url, data, persona, expected, world, listings, persona_user, client_for):
    w = {**world, "listings": listings}
    _check(client_for(persona_user(persona)), method, url, data, expected, world=w, api=False)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(LISTING_API_MATRIX)))
def test_listing_api_access(route, method, url, data, persona, expected, world, listings, persona_user, client_for):
    w = {**world, "listings": listings}
    _check(client_for(persona_user(persona)), method, url, data, expected, world=w, api=True)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(MATCH_PAGE_MATRIX)))
def test_match_page_access(route, method, url, data, persona, expected, proposal_world, persona_user, client_for):
    _check(client_for(persona_user(persona)), method, url, data, expected, world=proposal_world, api=False)


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(MATCH_API_MATRIX)))
def test_match_api_access(route, method, url, data, persona, expected, proposal_world, persona_user, client_for):
    _check(client_for(persona_user(persona)), method, url, data, expected, world=proposal_world, api=True)


def _route_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


# Other apps keep their access matrix beside their tests; each such module
# exposes COVERED_ROUTES, the route names its matrix tests.
OTHER_MATRIX_MODULES = (
    "tests.partners.test_interchange",
    "tests.projects.test_permissions",
    "tests.research.test_permissions",
)
CHECKED_NAMESPACES = ("partners:", "api:", "matchmaking:", "projects:", "research:")


def _covered_elsewhere() -> set[str]:
    import importlib

    covered: set[str] = set()
    for name in OTHER_MATRIX_MODULES:
        try:
            covered |= set(importlib.import_module(name).COVERED_ROUTES)
        except ModuleNotFoundError:
            continue  # that app has no routes yet; any it adds then fails below
    return covered


def test_every_route_is_in_the_matrix():
    names = {n for n in _route_names(get_resolver()) if n.startswith(CHECKED_NAMESPACES)}
    covered = (
        set(PAGE_MATRIX) | set(LISTING_PAGE_MATRIX) | set(MATCH_PAGE_MATRIX)
        | {key.split(" ")[0] for key in (*API_MATRIX, *LISTING_API_MATRIX, *MATCH_API_MATRIX)} | NOT_IN_MATRIX
        | _covered_elsewhere()
    )
    missing = sorted(n for n in names if n not in covered)
    assert missing == [], f"routes with no access rule in the matrix: {missing}"


def test_outsiders_never_see_private_fields_of_a_verified_organisation(world, client_for, outsider, member):
    slug = world["organisation"].slug
    public = client_for(outsider).get(reverse("api:organisation-detail", args=[slug])).json()
    private = client_for(member).get(reverse("api:organisation-detail", args=[slug])).json()
    assert "rejection_reason" not in public and "rejection_reason" in private
    page = client_for(outsider).get(world["organisation"].get_absolute_url()).content.decode()
    assert "member@example.org" not in page
    assert "member@example.org" in client_for(member).get(world["organisation"].get_absolute_url()).content.decode()
