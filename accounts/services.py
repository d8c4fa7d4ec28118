from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from accounts.tasks import send_email
from core.queue import enqueue_on_commit


def email_send(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Queue one email; it leaves after the current transaction commits."""
    if not to:
        return
    enqueue_on_commit(
        send_email, subject=subject, body=body, to=list(to), from_email=settings.DEFAULT_FROM_EMAIL, html=html
    )


def email_send_template(*, to: list[str], template: str, context: dict, language: str | None = None) -> None:
    """Render `<template>_subject.txt` and `<template>_message.txt` in the language given, then queue."""
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context = {"SITE_URL": settings.SITE_URL, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    # One message per recipient: people of different organisations never see each other's address.
    for address in to:
        email_send(to=[address], subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body)
