import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/[^\s]*confirm-email/[^\s]+/)", message.body).group(1)


def test_sign_up_sends_a_verification_email_whose_link_verifies_the_address(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new.person@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    address = EmailAddress.objects.get(email="new.person@example.org")
    assert not address.verified
    link = _confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_an_unverified_address_cannot_sign_in_until_verified(client):
    client.post(reverse("account_signup"), {"email": "late@example.org", "password1": PASSWORD, "password2": PASSWORD})
    client.logout()
    response = client.post(reverse("account_login"), {"login": "late@example.org", "password": PASSWORD})
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_weak_password_is_refused_beside_the_field(client):
    response = client.post(reverse("account_signup"), {"email": "weak@example.org", "password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]


def test_repeated_failed_logins_are_throttled_even_with_the_right_password_afterwards(client, settings):
    user = UserFactory(email="target@example.org")
    statuses = [
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong"}).status_code
        for _attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory(email="forgetful@example.org")
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/[^\s]*password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new_password = "a-brand-new-secret-2026"
    response = client.post(set_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_sign_in_and_sign_out(client):
    user = UserFactory(email="someone@example.org")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
