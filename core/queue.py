"""Enqueue Celery tasks after the surrounding transaction commits, without
letting a broker outage fail or hang the request that caused them."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def _publish(task, args: tuple, kwargs: dict) -> None:
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:  # noqa: BLE001 — any broker failure; the write has committed already
        # The publish retry policy in settings bounds the wait; what is lost
        # here is caught up by the periodic jobs that sweep for pending work.
        logger.exception("Could not enqueue %s; the broker is unreachable", task.name)


def enqueue_on_commit(task, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: _publish(task, args, kwargs))
