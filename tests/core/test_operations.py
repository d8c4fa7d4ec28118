"""Operations: demo data, deployment checks."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.demo import ORGANISATIONS, USERS
from partners.models import Membership, Organisation

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_verifies_all_but_the_pending_example():
    call_command("load_demo")
    counts = (Organisation.objects.count(), Membership.objects.count())
    call_command("load_demo")
    assert (Organisation.objects.count(), Membership.objects.count()) == counts
    assert counts[0] == len(ORGANISATIONS)
    pending = set(Organisation.objects.exclude(status="verified").values_list("name", flat=True))
    assert pending == {o.name for o in ORGANISATIONS if not o.verified}
    assert set(Organisation.objects.values_list("country", flat=True)) >= {"BG", "BA", "RS", "ME", "HU", "CN"}
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(email__in=[u.email for u in USERS]).count() == len(USERS)


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "SECURE_", "STATICFILES_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
