"""A real worker is killed (SIGKILL) in the middle of a full rematch; the job is
delivered again (late acknowledgement) to a second worker, and the proposals
end up exactly as an uninterrupted run makes them."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from matchmaking import services
from matchmaking.models import MatchRun, Proposal
from partners.models import Capability, Need, Topic
from partners.taxonomy import shipped_taxonomy
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
NEEDS = CAPABILITIES = 600


def _corpus():
    """Many listings, so that the job runs long enough to be killed in the middle."""
    import datetime

    from django.utils import timezone

    taxonomy = shipped_taxonomy()
    topics = [t for t in taxonomy.topics.values() if not t.is_domain]
    db_topics = {t.code: t for t in Topic.objects.all()}
    city = OrganisationFactory(name="Sofia", slug="sofia", country="BG", kind="city")
    company = OrganisationFactory(name="Huawei", slug="huawei", country="CN", kind="company", city="Shenzhen")
    expires, now = datetime.date.today() + datetime.timedelta(days=300), timezone.now()

    def texts(i, lang):
        topic = topics[i % len(topics)]
        words = topic.synonyms.get(lang) or topic.synonyms["en"]
        return topic, f"{words[i % len(words)]} {i}", " ".join(words[:3]) + f" — project {i}"

    needs, caps = [], []
    for i in range(NEEDS):
        topic, title, description = texts(i, "bg")
        needs.append((Need(organisation=city, title=title, description=description, language="bg", status="published",
                           published_at=now, expires_on=expires), topic.code))
    for i in range(CAPABILITIES):
        topic, title, description = texts(i * 7, "zh-hans")
        caps.append((Capability(organisation=company, title=title, description=description, language="zh-hans",
                                status="published", published_at=now, expires_on=expires, maturity=8), topic.code))
    for model, rows in ((Need, needs), (Capability, caps)):
        created = model.objects.bulk_create([listing for listing, _code in rows])
        through = model.topics.through
        owner = f"{model._meta.model_name}_id"
        through.objects.bulk_create([through(**{owner: obj.pk, "topic_id": db_topics[code].pk}) for obj, (_l, code) in zip(created, rows)])


def _start_worker(name: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": "2",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-n", f"{name}@%h", "-l", "warning",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _pairs():
    # Scores are compared to 4 places: BLAS may sum in another order in another process.
    return {(p.need_id, p.capability_id): (p.status, round(p.score, 4), p.rank) for p in Proposal.objects.all()}


def test_a_rematch_killed_mid_job_is_redone_by_another_worker_with_the_same_result(taxonomy, monkeypatch):
    _corpus()
    services.matching_run_sync()
    expected = _pairs()
    assert len(expected) > NEEDS  # several proposals per need
    Proposal.objects.all().delete()

    monkeypatch.setitem(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    celery_app.control.purge()
    run = MatchRun.objects.create()
    first = _start_worker("first")
    try:
        from matchmaking.tasks import run_full_rematch

        run_full_rematch.delay(run.pk)
        _wait(lambda: MatchRun.objects.get(pk=run.pk).processed >= 50, 120, "the first worker to start the job")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    killed = MatchRun.objects.get(pk=run.pk)
    assert killed.status == MatchRun.Status.RUNNING and killed.processed < NEEDS
    assert 0 < len(_pairs()) < len(expected)

    second = _start_worker("second")
    try:
        _wait(lambda: MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.DONE, 180, "the redelivered job to finish")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(20)
    assert _pairs() == expected
