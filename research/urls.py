from django.urls import path

from research import views

app_name = "research"

urlpatterns = [
    # The library
    path("library/", views.library, name="library"),
    path("library/feed/", views.publication_feed, name="publication_feed"),
    path("library/new/", views.publication_create, name="publication_create"),
    path("library/<int:pk>/", views.publication_detail, name="publication_detail"),
    path("library/<int:pk>/edit/", views.publication_edit, name="publication_edit"),
    path("library/<int:pk>/publish/", views.publication_publish, name="publication_publish"),
    path("library/<int:pk>/feature/", views.publication_feature, name="publication_feature"),
    path("library/<int:pk>/pdf/", views.publication_pdf, name="publication_pdf"),
    path("library/<int:pk>/cite.bib", views.publication_bibtex, name="publication_bibtex"),
    path("library/<int:pk>/cite.ris", views.publication_ris, name="publication_ris"),
    # Evaluations of projects
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/new/<int:project_pk>/", views.evaluation_create, name="evaluation_create"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("evaluations/<int:pk>/edit/", views.evaluation_edit, name="evaluation_edit"),
    path("evaluations/<int:pk>/publish/", views.evaluation_publish, name="evaluation_publish"),
    # Seminars
    path("seminars/", views.event_list, name="event_list"),
    path("seminars/upcoming.ics", views.events_ics, name="events_ics"),
    path("seminars/new/", views.event_create, name="event_create"),
    path("seminars/<int:pk>/", views.event_detail, name="event_detail"),
    path("seminars/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("seminars/<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("seminars/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("seminars/<int:pk>/feature/", views.event_feature, name="event_feature"),
    path("seminars/<int:pk>/seminar.ics", views.event_ics, name="event_ics"),
    path("seminars/<int:pk>/register/", views.event_register, name="event_register"),
    path("seminars/<int:pk>/unregister/", views.event_unregister, name="event_unregister"),
    path("seminars/<int:pk>/registrations/", views.event_registrations, name="event_registrations"),
    path("seminars/<int:pk>/registrations.csv", views.event_registrations_csv, name="event_registrations_csv"),
    # The user's drafts and the projects they evaluate
    path("me/research/", views.my_research, name="my_research"),
]
