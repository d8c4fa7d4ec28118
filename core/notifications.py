"""In-app notifications (with an email through Celery), shared by every app."""
from __future__ import annotations

from django.utils import translation

from accounts.services import email_send_template


def notify_organisations(*, organisations, template: str, context: dict, url: str = "") -> None:
    """Tell every active member of each organisation in-app, and its admins by email.

    `template` names `<template>_subject.txt` / `_message.txt`; the in-app text is the
    subject, kept in English and Chinese so the list shows the reader's language.
    """
    from django.template.loader import render_to_string

    from core.models import Notification
    from partners.models import Membership

    members = Membership.objects.filter(
        organisation__in=organisations, status=Membership.Status.ACTIVE
    ).select_related("user")
    with translation.override("en"):
        title_en = render_to_string(f"{template}_subject.txt", context).strip()
    with translation.override("zh-hans"):
        title_zh = render_to_string(f"{template}_subject.txt", context).strip()
    Notification.objects.bulk_create(
        [Notification(user=m.user, title_en=title_en, title_zh=title_zh, url=url) for m in members],
    )
    admins = sorted({m.user.email for m in members if m.role == Membership.Role.ADMIN})
    email_send_template(to=admins, template=template, context=context)
