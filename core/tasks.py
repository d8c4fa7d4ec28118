import socket

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from core.models import WorkerHeartbeat


@shared_task(name="core.tasks.record_worker_heartbeat", ignore_result=True, expires=60)
def record_worker_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(hostname=socket.gethostname(), defaults={"beat_at": timezone.now()})


@worker_ready.connect
def _heartbeat_on_start(**_kwargs) -> None:
    # /healthz turns green as soon as a worker is up, not only after beat's first tick.
    record_worker_heartbeat.delay()
