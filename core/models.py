from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker host, touched by a beat-scheduled task: proves that
    beat schedules, the broker carries and a worker executes."""

    hostname = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
