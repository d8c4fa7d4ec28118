"""Checks behind /healthz: database, broker and the worker's heartbeat."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from core.models import WorkerHeartbeat


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True}


def check_broker() -> dict:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": celery_app.conf.broker_url.split(":", 1)[0], "error": exc.__class__.__name__}
    return {"ok": True, "transport": celery_app.conf.broker_url.split(":", 1)[0]}


def check_worker() -> dict:
    try:
        latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    if latest is None:
        return {"ok": False, "last_heartbeat": None}
    age = timezone.now() - latest.beat_at
    return {
        "ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE,
        "last_heartbeat": latest.beat_at.isoformat(),
        "age_seconds": round(age.total_seconds(), 1),
    }


def health_report() -> dict:
    checks = {"database": check_database(), "broker": check_broker(), "worker": check_worker()}
    return {"ok": all(c["ok"] for c in checks.values()), "checks": checks}
