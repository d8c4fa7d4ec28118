"""The research pages: what they show and what their forms do."""
import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from partners.models import Topic
from research import selectors, services
from research.models import Event, Publication, Registration
from tests.factories import UserFactory
from tests.research.factories import EventFactory, PublicationFactory, pdf_bytes

pytestmark = pytest.mark.django_db


def _publication_form(think_tank, **overrides) -> dict:
    data = {
        "organisation": think_tank.pk, "type": "report", "title": "Smart lighting in Prague",
        "abstract": "How Prague dims its street lights.", "language": "en", "authors": "Jana Nováková\r\nLi Wei",
        "countries": ["CZ"], "translations-TOTAL_FORMS": "1", "translations-INITIAL_FORMS": "0",
        "translations-0-language": "zh-hans", "translations-0-title": "布拉格的智慧路灯", "translations-0-abstract": "",
    }
    data.update(overrides)
    return data


def test_a_researcher_publishes_a_report_with_a_pdf_through_the_pages(think_tank, researcher, client_for, taxonomy):
    client = client_for(researcher)
    topic = Topic.objects.get(code="energy.street-lighting")
    response = client.post(reverse("research:publication_create"), _publication_form(
        think_tank, topics=[topic.pk], pdf=SimpleUploadedFile("lighting.pdf", pdf_bytes(), "application/pdf"),
    ))
    publication = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == publication.get_absolute_url()
    assert publication.status == "draft" and publication.authors == ["Jana Nováková", "Li Wei"]
    assert publication.translations.get().title == "布拉格的智慧路灯"
    assert publication.pdf_size == len(pdf_bytes())

    detail = client.get(publication.get_absolute_url()).content.decode()
    assert "Publish" in detail and 'lang="zh-hans"' in detail
    response = client.post(reverse("research:publication_publish", args=[publication.pk]))
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.is_published

    library = client_for(None).get(reverse("research:library")).content.decode()
    assert "Smart lighting in Prague" in library


def test_the_library_shows_the_readers_language_first(think_tank, client):
    publication = PublicationFactory(organisation=think_tank, title="Smart lighting")
    publication.translations.create(language="zh-hans", title="智慧路灯", abstract="路灯研究")
    english = client.get(reverse("research:library")).content.decode()
    chinese = client.get("/zh-hans" + reverse("research:library")).content.decode()
    assert 'lang="en">Smart lighting</a>' in english
    assert 'lang="zh-hans">智慧路灯</a>' in chinese


def test_editing_changes_only_what_changed_and_can_remove_the_pdf(think_tank, researcher, client_for):
    client = client_for(researcher)
    publication = services.publication_create(
        organisation=think_tank, by=researcher, type="report", title="Lighting", abstract="LED.",
        external_url="https://example.org/x", pdf=SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf"),
    )
    form = client.get(reverse("research:publication_edit", args=[publication.pk])).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None and k != "pdf"}, "title": "Lighting, revised",
            "pdf-clear": "on", "translations-TOTAL_FORMS": "1", "translations-INITIAL_FORMS": "0"}
    data["authors"] = ""
    response = client.post(reverse("research:publication_edit", args=[publication.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    publication.refresh_from_db()
    assert publication.title == "Lighting, revised" and not publication.pdf and publication.abstract == "LED."


def test_a_member_of_no_think_tank_is_told_why_they_cannot_publish(member, client_for):
    response = client_for(member).get(reverse("research:publication_create"), follow=True)
    assert "think tank or university" in response.content.decode()


def test_the_pdf_of_a_published_report_is_public(think_tank, client):
    from django.core.files.base import ContentFile

    publication = PublicationFactory(organisation=think_tank)
    publication.pdf.save("r.pdf", ContentFile(pdf_bytes()), save=True)
    response = client.get(reverse("research:publication_pdf", args=[publication.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("research:publication_pdf", args=[PublicationFactory(organisation=think_tank).pk])).status_code == 404


def test_coordinators_see_the_feature_button_and_the_home_page_shows_it(think_tank, coordinator, client_for, client):
    publication = PublicationFactory(organisation=think_tank, title="The featured report")
    later = PublicationFactory(organisation=think_tank, title="The latest report")
    page = client_for(coordinator).get(publication.get_absolute_url()).content.decode()
    assert "Feature on the home page" in page
    client_for(coordinator).post(reverse("research:publication_feature", args=[publication.pk]), {"featured": "on"})
    event = EventFactory(organisation=think_tank, title="The featured seminar")
    client_for(coordinator).post(reverse("research:event_feature", args=[event.pk]), {"featured": "on"})
    EventFactory(organisation=think_tank, title="The next seminar")
    home = client.get("/")
    featured = [p.pk for p in home.context["featured_publications"]]
    latest = [p.pk for p in home.context["latest_publications"]]
    assert featured == [publication.pk] and latest == [later.pk], "featured ones are not listed twice"
    assert [e.title for e in home.context["featured_events"]] == ["The featured seminar"]
    assert [e.title for e in home.context["upcoming_events"]] == ["The next seminar"]
    text = home.content.decode()
    assert "The featured report" in text and "The latest report" in text and "The next seminar" in text


def test_the_nav_links_to_the_library(client):
    assert f'href="{reverse("research:library")}"' in client.get("/").content.decode()


# --- Evaluations ----------------------------------------------------------------


def test_an_evaluator_writes_and_publishes_an_evaluation_from_the_pages(project_world, think_tank, researcher, client_for):
    project, kpis = project_world["project"], project_world["kpis"]
    client = client_for(researcher)
    response = client.post(reverse("research:evaluation_create", args=[project.pk]), {
        "organisation": think_tank.pk, "title": "Mid-term evaluation", "text": "On track.", "language": "en",
        "relevance": "5", "effectiveness": "4", "efficiency": "3", "impact": "4", "sustainability": "3",
        "kpis": [kpis[0].pk],
    })
    evaluation = project.evaluations.get()
    assert response.status_code == 302 and response["Location"] == evaluation.get_absolute_url()
    client.post(reverse("research:evaluation_publish", args=[evaluation.pk]))
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert "Energy used by street lights" in page and "3.8" in page


def test_the_project_page_include_lists_the_evaluations(project_world, think_tank, researcher, member):
    from research.models import Evaluation

    project = project_world["project"]
    Evaluation.objects.create(project=project, organisation=think_tank, title="Published one", text="x", status="published",
                              published_at=timezone.now(), relevance=4, effectiveness=4, efficiency=4, impact=4,
                              sustainability=4)
    request = RequestFactory().get("/")
    for user, can_evaluate in ((member, False), (researcher, True)):
        request.user = user
        html = render_to_string("research/_project_evaluations.html", {
            "project": project, "user": user,
            "evaluations": selectors.evaluations_for_project(project=project, user=user),
        }, request=request)
        assert "Published one" in html
        assert (reverse("research:evaluation_create", args=[project.pk]) in html) is can_evaluate


# --- Seminars -----------------------------------------------------------------


def test_an_organiser_creates_a_seminar_in_its_local_time(think_tank, researcher, client_for):
    response = client_for(researcher).post(reverse("research:event_create"), {
        "organisation": think_tank.pk, "title": "Data standards", "description": "A seminar.", "language": "en",
        "starts_at": "2099-06-11T10:00", "ends_at": "2099-06-11T12:00", "timezone": "Asia/Shanghai",
        "online_url": "https://meet.example.org/x",
    })
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.starts_at.isoformat() == "2099-06-11T02:00:00+00:00"
    page = client_for(researcher).get(event.get_absolute_url()).content.decode()
    assert "10:00" in page and "Asia/Shanghai, UTC+08:00" in page
    form = client_for(researcher).get(reverse("research:event_edit", args=[event.pk])).content.decode()
    assert 'value="2099-06-11T10:00"' in form, "the edit form shows the seminar's own clock"


def test_a_time_the_clocks_skip_is_refused_beside_the_field(think_tank, researcher, client_for):
    response = client_for(researcher).post(reverse("research:event_create"), {
        "organisation": think_tank.pk, "title": "Data standards", "description": "A seminar.", "language": "en",
        "starts_at": "2099-03-29T02:30", "ends_at": "2099-03-29T04:00", "timezone": "Europe/Warsaw", "place": "Warsaw",
    })
    assert response.status_code == 200 and "does not exist" in response.context["form"].errors["starts_at"][0]


def test_registering_and_cancelling_from_the_seminar_page(think_tank, outsider, client_for):
    event = EventFactory(organisation=think_tank, capacity=10)
    client = client_for(outsider)
    assert "Register" in client.get(event.get_absolute_url()).content.decode()
    client.post(reverse("research:event_register", args=[event.pk]))
    page = client.get(event.get_absolute_url()).content.decode()
    assert "You are registered." in page and "1 of 10 taken" in page
    client.post(reverse("research:event_unregister", args=[event.pk]))
    assert Registration.objects.get().status == "cancelled"


def test_the_csv_export_opens_in_excel_with_chinese_names(think_tank, researcher, client_for):
    event = EventFactory(organisation=think_tank)
    for name, email in (("王伟", "wang@example.cn"), ("=HYPERLINK(\"http://evil\")", "mallory@example.org")):
        services.registration_create(event=event, user=UserFactory(full_name=name, email=email))
    services.registration_cancel(event=event, user=UserFactory._meta.model.objects.get(email="mallory@example.org"))
    response = client_for(researcher).get(reverse("research:event_registrations_csv", args=[event.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Full name", "Email", "Organisation", "Status", "Registered at", "Cancelled at"]
    assert rows[1][:4] == ["王伟", "wang@example.cn", "", "Registered"]
    assert rows[2][0] == "'=HYPERLINK(\"http://evil\")", "a cell is never a formula"
    assert rows[2][3] == "Cancelled" and rows[2][5]


def test_the_organisers_page_lists_registrations(think_tank, researcher, client_for):
    event = EventFactory(organisation=think_tank)
    services.registration_create(event=event, user=UserFactory(full_name="Li Wei"))
    page = client_for(researcher).get(reverse("research:event_registrations", args=[event.pk])).content.decode()
    assert "Li Wei" in page and reverse("research:event_registrations_csv", args=[event.pk]) in page


def test_the_seminar_list_separates_upcoming_and_past(think_tank, client):
    EventFactory(organisation=think_tank, title="Next week")
    EventFactory(organisation=think_tank, title="Last week", starts_at=timezone.now() - timedelta(days=7),
                 ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=2))
    response = client.get(reverse("research:event_list"))
    assert [e.title for e in response.context["upcoming"]] == ["Next week"]
    assert [e.title for e in response.context["past"]] == ["Last week"]


def test_my_research_lists_the_drafts_of_my_organisations(think_tank, researcher, client_for):
    PublicationFactory(organisation=think_tank, status="draft", published_at=None, title="My draft report")
    EventFactory(organisation=think_tank, status="draft", published_at=None, title="My draft seminar")
    page = client_for(researcher).get(reverse("research:my_research")).content.decode()
    assert "My draft report" in page and "My draft seminar" in page


def test_the_include_finds_the_evaluations_itself_when_the_view_does_not_pass_them(project_world, think_tank, member):
    from research.models import Evaluation

    project = project_world["project"]
    Evaluation.objects.create(project=project, organisation=think_tank, title="Found by the include", text="x",
                              status="published", published_at=timezone.now(), relevance=4, effectiveness=4,
                              efficiency=4, impact=4, sustainability=4)
    request = RequestFactory().get("/")
    request.user = member
    html = render_to_string("research/_project_evaluations.html", {"project": project, "user": member}, request=request)
    assert "Found by the include" in html
