"""Real Celery worker against the real Redis broker (not eager)."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse

from config.celery import app as celery_app
from core.models import WorkerHeartbeat
from partners.models import Organisation

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_worker(monkeypatch):
    # Settings come from Django with the CELERY_ namespace, so the namespaced key is the one read.
    monkeypatch.setitem(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_records_its_heartbeat(real_worker):
    from core.tasks import record_worker_heartbeat

    record_worker_heartbeat.delay()
    assert wait_for(lambda: WorkerHeartbeat.objects.exists())


def test_verification_email_goes_through_the_broker_and_the_worker(real_worker, client_for, coordinator, pending_organisation, org_admin):
    response = client_for(coordinator).post(reverse("partners:organisation_verify", args=[pending_organisation.slug]))
    assert response.status_code == 302
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [org_admin.email]
    assert Organisation.objects.get(pk=pending_organisation.pk).is_verified


def test_with_the_broker_down_a_verification_still_succeeds_and_the_request_does_not_hang(
    client_for, coordinator, pending_organisation, org_admin, broker_down, caplog
):
    started = time.monotonic()
    response = client_for(coordinator).post(reverse("partners:organisation_verify", args=[pending_organisation.slug]))
    assert response.status_code == 302
    assert Organisation.objects.get(pk=pending_organisation.pk).is_verified
    assert "broker is unreachable" in caplog.text
    # Bounded publish retries: a hang would be Celery's default of 100 retries.
    assert time.monotonic() - started < 10
