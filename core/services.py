from django.db import transaction
from django.utils import timezone

from core.models import Notification


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's notifications read (all of them, or those ids); others' are out of reach."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
