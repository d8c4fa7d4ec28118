import pytest
from django.urls import reverse

from core.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_ones_own_notifications_with_the_unread_count_in_the_header(client_for, outsider):
    other = UserFactory()
    Notification.objects.create(user=outsider, title_en="New project: LED pilot", title_zh="新项目：LED 试点", url="/projects/1/")
    Notification.objects.create(user=other, title_en="Someone else's news", title_zh="别人的消息")
    page = client_for(outsider).get(reverse("notifications")).content.decode()
    assert "New project: LED pilot" in page and "Someone else" not in page
    assert 'class="badge unread-count">1<' in page
    assert "新项目：LED 试点" in client_for(outsider).get("/zh-hans/notifications/").content.decode()


def test_marking_as_read_reaches_only_ones_own(client_for, outsider):
    other = UserFactory()
    mine = Notification.objects.create(user=outsider, title_en="a", title_zh="a")
    theirs = Notification.objects.create(user=other, title_en="b", title_zh="b")
    response = client_for(outsider).post(reverse("notifications_read"), {"id": [str(mine.pk), str(theirs.pk)]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("notifications_read")).status_code == 302
