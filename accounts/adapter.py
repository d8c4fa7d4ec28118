from allauth.account.adapter import DefaultAccountAdapter

from accounts.services import email_send


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        # Render now (the links are built from this request), send through Celery.
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
        email_send(to=message.to, subject=message.subject, body=message.body, html=html)
