from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_database_broker_and_worker_are_up(client):
    WorkerHeartbeat.objects.create(hostname="worker-1", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "transport": "redis"}


def test_healthz_is_503_when_no_worker_has_beaten_recently(client):
    WorkerHeartbeat.objects.create(hostname="worker-1", beat_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_healthz_is_503_when_the_broker_is_unreachable(client, broker_down):
    WorkerHeartbeat.objects.create(hostname="worker-1", beat_at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True
