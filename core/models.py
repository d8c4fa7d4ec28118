from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per worker host, touched by a beat-scheduled task: proves that
    beat schedules, the broker carries and a worker executes."""

    hostname = models.CharField(max_length=255, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """Something a user should see: kept in both UI languages, read or not."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    title_en = models.CharField(max_length=300)
    title_zh = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        return self.title_zh if (language or get_language() or "").startswith("zh") else self.title_en
