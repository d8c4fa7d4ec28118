"""Persona fixtures shared by every test folder: anonymous, outsider, member,
organisation admin, coordinator and superuser, with one client each."""
import os

import pytest
from django.test import Client

from partners.models import Membership
from tests.factories import CoordinatorFactory, MembershipFactory, OrganisationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# calls in the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organisation(db):
    """A verified organisation with an admin and a member."""
    return OrganisationFactory(name="Sofia Municipality", slug="sofia-municipality-bg", country="BG", city="Sofia")


@pytest.fixture
def pending_organisation(db):
    return OrganisationFactory(name="Tirana Municipality", slug="tirana-al", country="AL", city="Tirana", status="pending")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.org")


@pytest.fixture
def member(organisation, pending_organisation):
    user = UserFactory(email="member@example.org")
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    MembershipFactory(user=user, organisation=pending_organisation, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def org_admin(organisation, pending_organisation):
    user = UserFactory(email="admin@example.org")
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    MembershipFactory(user=user, organisation=pending_organisation, role=Membership.Role.ADMIN)
    user.acting_organisation = organisation
    user.save(update_fields=["acting_organisation"])
    return user


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory(email="coordinator@example.org")


@pytest.fixture
def superuser(db):
    user = UserFactory(email="root@example.org", is_superuser=True, is_staff=True)
    return user


def _client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anonymous_client():
    return Client()


@pytest.fixture
def client_for():
    return _client_for


PERSONAS = ("anonymous", "outsider", "member", "org_admin", "coordinator", "superuser")


@pytest.fixture
def persona_user(request):
    """Resolve a persona name to its user (None for anonymous)."""

    def resolve(name: str):
        return None if name == "anonymous" else request.getfixturevalue(name)

    return resolve


@pytest.fixture
def broker_down(monkeypatch):
    """Point Celery at a port nobody listens on, as if Redis were down; tasks are really published."""
    from config.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    # Settings come from Django with the CELERY_ namespace, so the namespaced key is the one read.
    monkeypatch.setitem(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    # Drop pooled connections to the real broker so that publishing reconnects.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    return celery_app


@pytest.fixture
def taxonomy(db):
    """The shipped taxonomy, loaded into the test database."""
    from partners.taxonomy_store import taxonomy_load

    taxonomy_load()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to /zh-hans/ leaves Chinese active in the test thread; every test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
