from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    name="accounts.tasks.send_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
)
def send_email(*, subject: str, body: str, to: list[str], from_email: str | None = None, html: str | None = None) -> None:
    # The message is rendered in the request (it carries one-time links), so the
    # task takes its text rather than ids; sending twice is the only duplicate risk.
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
