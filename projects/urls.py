from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/public/", views.project_public_list, name="public_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/summary/", views.project_public, name="project_public"),
    path("projects/<int:pk>/stage/<slug:name>/", views.project_step, name="project_step"),
    path("projects/<int:pk>/parties/add/", views.party_add, name="party_add"),
    path("projects/parties/<int:pk>/public/", views.party_consent, name="party_consent"),
    path("projects/parties/<int:pk>/<slug:name>/", views.party_step, name="party_step"),
    path("projects/<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("projects/agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("projects/agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("projects/agreements/<int:pk>/upload/", views.agreement_upload, name="agreement_upload"),
    path("projects/agreements/<int:pk>/do/<slug:name>/", views.agreement_step, name="agreement_step"),
    path("projects/documents/<int:pk>/", views.document_download, name="document_download"),
    path("projects/signatures/<int:pk>/copy/", views.signature_download, name="signature_download"),
    path("projects/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("projects/milestones/<int:pk>/", views.milestone_update, name="milestone_update"),
    path("projects/<int:pk>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("projects/kpis/<int:pk>/measure/", views.kpi_measure, name="kpi_measure"),
]
