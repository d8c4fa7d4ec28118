import socket

from celery import shared_task
from django.utils import timezone

from core.models import WorkerHeartbeat


@shared_task(name="core.tasks.record_worker_heartbeat", ignore_result=True, expires=60)
def record_worker_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(hostname=socket.gethostname(), defaults={"beat_at": timezone.now()})
