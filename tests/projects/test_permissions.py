"""The access matrix of the project pages and API: every route × every persona
(see tests/partners/test_permissions.py, whose route check imports COVERED_ROUTES).

The personas' organisation (Sofia) leads the projects of the world below; a Chinese
company is the partner. `member` is an ordinary member of Sofia, `org_admin` its
administrator, `outsider` belongs to no party: it must see nothing private.
"""
from __future__ import annotations

from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from projects import services
from projects.models import AuditEvent, Project
from tests.conftest import PERSONAS
from tests.factories import OrganisationFactory
from tests.projects.conftest import Flow, party_of, pdf

pytestmark = pytest.mark.django_db

LOGIN = "login"


def rule(anonymous, outsider, member, org_admin, coordinator, superuser):
    return dict(anonymous=anonymous, outsider=outsider, member=member, org_admin=org_admin, coordinator=coordinator,
                superuser=superuser)


ALL_PAGE = rule(200, 200, 200, 200, 200, 200)
SIGNED_IN = rule(LOGIN, 200, 200, 200, 200, 200)
VIEWERS = rule(LOGIN, 404, 200, 200, 200, 200)
WORKERS_ACT = rule(LOGIN, 404, 302, 302, 302, 302)
PARTY_ADMIN_ACTS = rule(LOGIN, 404, 403, 302, 403, 403)
COORDINATORS_PAGE = rule(LOGIN, 403, 403, 403, 200, 200)

ALL_API = rule(403, 200, 200, 200, 200, 200)
API_VIEWERS = rule(403, 404, 200, 200, 200, 200)
API_WORKERS = rule(403, 404, 200, 200, 200, 200)
API_WORKERS_CREATE = rule(403, 404, 201, 201, 201, 201)
API_PARTY_MEMBERS = rule(403, 404, 200, 200, 403, 403)
API_PARTY_ADMINS = rule(403, 404, 403, 200, 403, 403)
API_COORDINATORS = rule(403, 404, 403, 403, 200, 200)
API_ADMINS_OR_COORDINATORS = rule(403, 404, 403, 200, 200, 200)
API_LEAD_ADMINS_OR_COORDINATORS = rule(403, 404, 403, 200, 200, 200)
READ_ONLY = rule(403, 405, 405, 405, 405, 405)


def _step(name, pk):
    return reverse("projects:agreement_step", args=[pk, name])


# route name -> (method, url(world), data(world) or None, {persona: expected})
PAGE_MATRIX = {
    "projects:project_list": ("get", lambda w: reverse("projects:project_list"), None, SIGNED_IN),
    "projects:public_list": ("get", lambda w: reverse("projects:public_list"), None, ALL_PAGE),
    "projects:project_create": ("get", lambda w: reverse("projects:project_create"), None, COORDINATORS_PAGE),
    "projects:project_detail": ("get", lambda w: w["project"].get_absolute_url(), None, VIEWERS),
    "projects:project_edit": ("get", lambda w: reverse("projects:project_edit", args=[w["project"].pk]), None,
                              rule(LOGIN, 404, 200, 200, 200, 200)),
    "projects:project_public": ("get", lambda w: w["project"].get_public_url(), None, ALL_PAGE),
    "projects:project_step": ("post", lambda w: reverse("projects:project_step", args=[w["project"].pk, "start_pilot"]),
                              lambda w: {"comment": "Go."}, rule(LOGIN, 404, 403, 302, 302, 302)),
    "projects:party_add": ("post", lambda w: reverse("projects:party_add", args=[w["project"].pk]),
                           lambda w: {"organisation": w["newcomer"].pk, "role": "observer"},
                           rule(LOGIN, 403, 403, 403, 302, 302)),
    "projects:party_consent": ("post", lambda w: reverse("projects:party_consent", args=[w["party"].pk]),
                               lambda w: {"consent": "0"}, PARTY_ADMIN_ACTS),
    "projects:party_step": ("post", lambda w: reverse("projects:party_step", args=[w["invitation"].pk, "accept"]),
                            lambda w: {}, PARTY_ADMIN_ACTS),
    "projects:agreement_create": ("get", lambda w: reverse("projects:agreement_create", args=[w["project"].pk]), None,
                                  VIEWERS),
    "projects:agreement_detail": ("get", lambda w: w["draft"].get_absolute_url(), None, VIEWERS),
    "projects:agreement_edit": ("get", lambda w: reverse("projects:agreement_edit", args=[w["draft"].pk]), None, VIEWERS),
    "projects:agreement_upload": ("post", lambda w: reverse("projects:agreement_upload", args=[w["draft"].pk]),
                                  lambda w: {"document": pdf(), "version": w["draft"].version}, WORKERS_ACT),
    "projects:agreement_step": ("post", lambda w: _step("approve", w["in_review"].pk), lambda w: {"version": 1},
                                PARTY_ADMIN_ACTS),
    "projects:document_download": ("get", lambda w: reverse("projects:document_download", args=[w["version"].pk]), None,
                                   VIEWERS),
    "projects:signature_download": ("get", lambda w: reverse("projects:signature_download", args=[w["signature"].pk]),
                                    None, VIEWERS),
    "projects:milestone_create": ("post", lambda w: reverse("projects:milestone_create", args=[w["project"].pk]),
                                  lambda w: {"title": "Survey", "due_on": "2027-01-31", "status": "planned"}, WORKERS_ACT),
    "projects:milestone_update": ("post", lambda w: reverse("projects:milestone_update", args=[w["milestone"].pk]),
                                  lambda w: {"status": "in_progress"}, WORKERS_ACT),
    "projects:kpi_create": ("post", lambda w: reverse("projects:kpi_create", args=[w["project"].pk]),
                            lambda w: {"name": "Lamps", "unit": "lamps", "baseline": 0, "target": 2000}, WORKERS_ACT),
    "projects:kpi_measure": ("post", lambda w: reverse("projects:kpi_measure", args=[w["kpi"].pk]),
                             lambda w: {"measured_on": "2026-06-01", "value": 12}, WORKERS_ACT),
}


def _api(name, *args):
    return lambda w: reverse(name, args=[(w[a].pk if isinstance(a, str) else a) for a in args])


SIGN = lambda w: {"signatory": "Ivan Petrov", "signed_on": date.today().isoformat(), "signed_copy": pdf()}  # noqa: E731
API_MATRIX = {
    "api:project-list GET": ("get", _api("api:project-list"), None, ALL_API),
    "api:project-list POST": ("post", _api("api:project-list"), lambda w: {"title": "Smart parking for Plovdiv"},
                              rule(403, 403, 403, 403, 201, 201)),
    "api:project-detail GET": ("get", _api("api:project-detail", "project"), None, API_VIEWERS),
    "api:project-detail PATCH": ("patch", _api("api:project-detail", "project"),
                                 lambda w: {"version": 1, "summary": "Updated."}, API_WORKERS),
    "api:project-start-pilot": ("post", _api("api:project-start-pilot", "project"), lambda w: {},
                                API_LEAD_ADMINS_OR_COORDINATORS),
    "api:project-scale-up": ("post", _api("api:project-scale-up", "pilot"), lambda w: {},
                             API_LEAD_ADMINS_OR_COORDINATORS),
    "api:project-complete": ("post", _api("api:project-complete", "pilot"), lambda w: {}, API_COORDINATORS),
    "api:project-cancel": ("post", _api("api:project-cancel", "proposed"), lambda w: {"comment": "No funding."},
                           API_COORDINATORS),
    "api:project-timeline": ("get", _api("api:project-timeline", "project"), None, API_VIEWERS),
    "api:party-list GET": ("get", _api("api:party-list"), None, ALL_API),
    "api:party-list POST": ("post", _api("api:party-list"),
                            lambda w: {"project": w["project"].pk, "organisation": w["newcomer"].slug, "role": "observer"},
                            rule(403, 404, 403, 403, 201, 201)),
    "api:party-detail": ("get", _api("api:party-detail", "party"), None, API_VIEWERS),
    "api:party-accept": ("post", _api("api:party-accept", "invitation"), lambda w: {}, API_PARTY_ADMINS),
    "api:party-decline": ("post", _api("api:party-decline", "invitation"), lambda w: {}, API_PARTY_ADMINS),
    "api:party-public-consent": ("post", _api("api:party-public-consent", "party"), lambda w: {"consent": False},
                                 API_PARTY_ADMINS),
    "api:agreement-list GET": ("get", _api("api:agreement-list"), None, ALL_API),
    "api:agreement-list POST": ("post", _api("api:agreement-list"),
                                lambda w: {"project": w["project"].pk, "type": "loi", "title": "Letter", "text": "We will."},
                                API_WORKERS_CREATE),
    "api:agreement-detail GET": ("get", _api("api:agreement-detail", "draft"), None, API_VIEWERS),
    "api:agreement-detail PATCH": ("patch", _api("api:agreement-detail", "draft"),
                                   lambda w: {"version": w["draft"].version, "text": "Reworded."}, API_WORKERS),
    "api:agreement-submit": ("post", _api("api:agreement-submit", "draft"), lambda w: {}, API_PARTY_MEMBERS),
    "api:agreement-request-changes": ("post", _api("api:agreement-request-changes", "in_review"),
                                      lambda w: {"comment": "Clause 3."}, API_PARTY_MEMBERS),
    "api:agreement-approve": ("post", _api("api:agreement-approve", "in_review"), lambda w: {}, API_PARTY_ADMINS),
    "api:agreement-sign": ("post", _api("api:agreement-sign", "agreed"), SIGN, API_PARTY_ADMINS),
    "api:agreement-put-in-force": ("post", _api("api:agreement-put-in-force", "signed"), lambda w: {}, API_COORDINATORS),
    "api:agreement-complete": ("post", _api("api:agreement-complete", "in_force"), lambda w: {}, API_COORDINATORS),
    "api:agreement-withdraw": ("post", _api("api:agreement-withdraw", "draft"), lambda w: {"comment": "Superseded."},
                               API_ADMINS_OR_COORDINATORS),
    "api:agreement-terminate": ("post", _api("api:agreement-terminate", "in_force"), lambda w: {"comment": "Ended."},
                                API_ADMINS_OR_COORDINATORS),
    "api:agreement-version-list GET": ("get", _api("api:agreement-version-list"), None, ALL_API),
    "api:agreement-version-list POST": ("post", _api("api:agreement-version-list"),
                                        lambda w: {"agreement": w["draft"].pk, "version": w["draft"].version,
                                                   "document": pdf()}, API_WORKERS_CREATE),
    "api:agreement-version-detail": ("get", _api("api:agreement-version-detail", "version"), None, API_VIEWERS),
    "api:agreement-version-download": ("get", _api("api:agreement-version-download", "version"), None, API_VIEWERS),
    "api:agreement-signature-list": ("get", _api("api:agreement-signature-list"), None, ALL_API),
    "api:agreement-signature-detail": ("get", _api("api:agreement-signature-detail", "signature"), None, API_VIEWERS),
    "api:agreement-signature-download": ("get", _api("api:agreement-signature-download", "signature"), None,
                                         API_VIEWERS),
    "api:milestone-list GET": ("get", _api("api:milestone-list"), None, ALL_API),
    "api:milestone-list POST": ("post", _api("api:milestone-list"),
                                lambda w: {"project": w["project"].pk, "title": "Install", "due_on": "2027-03-01"},
                                API_WORKERS_CREATE),
    "api:milestone-detail GET": ("get", _api("api:milestone-detail", "milestone"), None, API_VIEWERS),
    "api:milestone-detail PATCH": ("patch", _api("api:milestone-detail", "milestone"), lambda w: {"status": "done"},
                                   API_WORKERS),
    "api:kpi-list GET": ("get", _api("api:kpi-list"), None, ALL_API),
    "api:kpi-list POST": ("post", _api("api:kpi-list"),
                          lambda w: {"project": w["project"].pk, "name": "CO2", "unit": "t", "baseline": 10, "target": 5},
                          API_WORKERS_CREATE),
    "api:kpi-detail": ("get", _api("api:kpi-detail", "kpi"), None, API_VIEWERS),
    "api:kpi-measure": ("post", _api("api:kpi-measure", "kpi"), lambda w: {"measured_on": "2026-05-01", "value": 8},
                        API_WORKERS_CREATE),
    "api:audit-event-list": ("get", _api("api:audit-event-list"), None, ALL_API),
    "api:audit-event-detail GET": ("get", _api("api:audit-event-detail", "event"), None, API_VIEWERS),
    "api:audit-event-detail PATCH": ("patch", _api("api:audit-event-detail", "event"), lambda w: {"comment": "x"},
                                     READ_ONLY),
    "api:audit-event-detail DELETE": ("delete", _api("api:audit-event-detail", "event"), None, READ_ONLY),
}
MULTIPART = {"projects:agreement_upload", "api:agreement-sign", "api:agreement-version-list POST"}

COVERED_ROUTES: set[str] = set(PAGE_MATRIX) | {key.split(" ")[0] for key in API_MATRIX}


@pytest.fixture
def world(parties, coordinator, superuser, outsider, member, org_admin, pending_organisation):
    """Created before the request: an active public project with an agreement in each state,
    a proposed one where Sofia is still invited, one in pilot, and what hangs off them."""
    project = Project.objects.get(pk=_active(parties, coordinator, "LED street lighting for Sofia").pk)
    flow = Flow(project, parties, coordinator)
    agreements = {state: flow.to(state, **({"document": pdf()} if state == "draft" else {}))
                  for state in ("draft", "in_review", "agreed", "signed", "in_force")}
    for organisation, admin in ((parties.lead, parties.lead_admin), (parties.partner, parties.partner_admin)):
        services.party_set_public_consent(party=party_of(project, organisation), by=admin, consent=True)
    proposed = _project(parties, coordinator, "Smart parking for Sofia")
    pilot = _active(parties, coordinator, "Air quality sensors for Sofia")
    services.project_start_pilot(project=pilot, by=coordinator)
    milestone = services.milestone_create(project=project, by=parties.lead_member, title="Survey the poles",
                                          due_on=date(2027, 1, 31))
    kpi = services.kpi_create(project=project, by=parties.lead_member, name="Energy", unit="MWh", baseline=1200,
                              target=700)
    return {
        "project": Project.objects.get(pk=project.pk), **agreements, "proposed": proposed, "pilot": pilot,
        "party": party_of(project, parties.lead), "invitation": party_of(proposed, parties.lead),
        "version": agreements["draft"].versions.get(), "signature": agreements["signed"].signatures.first(),
        "milestone": milestone, "kpi": kpi, "event": AuditEvent.objects.filter(project=project).first(),
        "newcomer": OrganisationFactory(name="Think Tank Prague", slug="tt-prague", country="CZ", kind="think_tank"),
    }


def _project(parties, coordinator, title: str) -> Project:
    project = services.project_create(by=coordinator, title=title, city="Sofia", country="BG")
    services.party_add(project=project, organisation=parties.lead, role="lead", by=coordinator)
    services.party_add(project=project, organisation=parties.partner, role="partner", by=coordinator)
    return project


def _active(parties, coordinator, title: str) -> Project:
    project = _project(parties, coordinator, title)
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    services.party_accept(party=party_of(project, parties.partner), by=parties.partner_admin)
    return Project.objects.get(pk=project.pk)


def _cases(matrix):
    for route, (method, url, data, expected) in matrix.items():
        for persona in PERSONAS:
            yield pytest.param(route, method, url, data, persona, expected[persona], id=f"{route}-{persona}")


def _call(client, route, method, url, data, *, api):
    if data is None:
        return getattr(client, method)(url)
    if route in MULTIPART or not api:
        return getattr(client, method)(url, data)
    return getattr(client, method)(url, data, content_type="application/json")


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(PAGE_MATRIX)))
def test_page_access(route, method, url, data, persona, expected, world, persona_user, client_for):
    response = _call(client_for(persona_user(persona)), route, method, url(world), data(world) if data else None,
                     api=False)
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == expected, response.content[:300]


@pytest.mark.parametrize("route, method, url, data, persona, expected", list(_cases(API_MATRIX)))
def test_api_access(route, method, url, data, persona, expected, world, persona_user, client_for):
    response = _call(client_for(persona_user(persona)), route, method, url(world), data(world) if data else None,
                     api=True)
    assert response.status_code == expected, response.content[:300]


def _route_names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_project_page_and_endpoint_is_in_this_matrix():
    from rest_framework.routers import DefaultRouter

    from projects.api import register

    router = DefaultRouter()
    register(router)
    prefixes = tuple(f"api:{basename}-" for _prefix, _viewset, basename in router.registry)
    names = {n for n in _route_names(get_resolver()) if n.startswith("projects:") or n.startswith(prefixes)}
    assert sorted(names - COVERED_ROUTES) == []


def test_an_outsider_sees_nothing_private_of_a_project(world, outsider, client_for):
    client = client_for(outsider)
    for name in ("api:project-list", "api:party-list", "api:agreement-list", "api:agreement-version-list",
                 "api:agreement-signature-list", "api:milestone-list", "api:kpi-list", "api:audit-event-list"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response.json()["count"] == 0, name
        filtered = client.get(reverse(name), {"project": world["project"].pk})
        assert filtered.json()["count"] == 0, name
    assert world["project"].title not in client.get(reverse("projects:project_list")).content.decode()
    public = client.get(world["project"].get_public_url()).content.decode()
    for private in (world["draft"].title, "Survey the poles", "Energy", "Timeline"):
        assert private not in public


def test_a_declined_party_no_longer_sees_the_project(world, parties, client_for):
    services.party_decline(party=world["invitation"], by=parties.lead_admin)
    assert client_for(parties.lead_member).get(world["proposed"].get_absolute_url()).status_code == 404
    assert client_for(parties.partner_admin).get(world["proposed"].get_absolute_url()).status_code == 200
