"""Lists issue the same number of queries whatever their number of rows (1, 10, 50)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Topic
from tests.research.factories import EventFactory, PublicationFactory

pytestmark = pytest.mark.django_db

SIZES = (1, 10, 50)


def _shelf(think_tank, count: int) -> None:
    topics = list(Topic.objects.filter(parent__isnull=False).order_by("position")[:3])
    for n in range(count):
        publication = PublicationFactory(organisation=think_tank)
        publication.topics.set(topics[: 1 + n % 3])
        publication.countries.create(country=("CZ", "PL", "CN")[n % 3])
        publication.translations.create(language="zh-hans", title=f"报告 {n}", abstract="摘要")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def reader_clients(client_for, researcher, coordinator):
    return {"anonymous": client_for(None), "researcher": client_for(researcher), "coordinator": client_for(coordinator)}


# The library lists at most a page (20); 50 rows prove that neither the rows nor the
# page beyond change the count. Each reader's count is measured on one row first.
@pytest.mark.parametrize("reader", ["anonymous", "researcher", "coordinator"])
@pytest.mark.parametrize("url", [
    reverse("research:library"),
    reverse("research:library") + "?q=lighting&topic=energy&language=zh-hans",
    reverse("research:library") + "?page=2",
    "/zh-hans" + reverse("research:library"),
])
def test_the_library_page_issues_a_constant_number_of_queries(think_tank, taxonomy, reader_clients, reader, url,
                                                               django_assert_num_queries):
    client = reader_clients[reader]
    counts = []
    shelved = 0
    for size in SIZES:
        _shelf(think_tank, size - shelved)
        shelved = size
        counts.append(_queries(client, url))
    assert counts == [counts[0]] * len(SIZES), counts
    with django_assert_num_queries(counts[0]):
        client.get(url)


@pytest.mark.parametrize("size", SIZES)
def test_the_anonymous_library_is_seven_queries(think_tank, taxonomy, client, django_assert_num_queries, size):
    """Topics for the filter, years, the count, the page, and its topics, translations and countries."""
    _shelf(think_tank, size)
    with django_assert_num_queries(7):
        response = client.get(reverse("research:library"))
    assert len(response.context["page"]) == min(size, 20)


@pytest.mark.parametrize("url", [
    "/",
    reverse("research:event_list"),
    reverse("research:publication_feed"),
    reverse("research:events_ics"),
    reverse("api:publication-list"),
    reverse("api:event-list"),
])
def test_other_lists_issue_a_constant_number_of_queries(think_tank, taxonomy, client, url):
    counts = []
    shelved = 0
    topics = list(Topic.objects.filter(parent__isnull=False)[:2])
    for size in SIZES:
        _shelf(think_tank, size - shelved)
        for _ in range(size - shelved):
            EventFactory(organisation=think_tank).topics.set(topics)
        shelved = size
        counts.append(_queries(client, url))
    assert counts == [counts[0]] * len(SIZES), counts


def test_the_evaluation_list_issues_a_constant_number_of_queries(project_world, think_tank, client_for, researcher):
    from django.utils import timezone

    from research.models import Evaluation

    client, counts, made = client_for(researcher), [], 0
    for size in SIZES:
        for _ in range(size - made):
            evaluation = Evaluation.objects.create(
                project=project_world["project"], organisation=think_tank, title="E", text="x", status="published",
                published_at=timezone.now(), relevance=3, effectiveness=3, efficiency=3, impact=3, sustainability=3,
            )
            evaluation.kpis.set(project_world["kpis"])
        made = size
        counts.append((_queries(client, reverse("research:evaluation_list")),
                       _queries(client, reverse("api:evaluation-list"))))
    assert counts == [counts[0]] * len(SIZES), counts
