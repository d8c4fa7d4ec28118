from django.urls import path

from partners import imports, views

app_name = "partners"

urlpatterns = [
    path("organisations/", views.directory, name="directory"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/resubmit/", views.organisation_resubmit, name="organisation_resubmit"),
    path("organisations/<slug:slug>/join/", views.organisation_join, name="organisation_join"),
    path("organisations/<slug:slug>/act-for/", views.set_acting_organisation, name="set_acting_organisation"),
    path("organisations/<slug:slug>/verify/", views.organisation_verify, name="organisation_verify"),
    path("organisations/<slug:slug>/reject/", views.organisation_reject, name="organisation_reject"),
    path("memberships/<int:pk>/accept/", views.membership_accept, name="membership_accept"),
    path("memberships/<int:pk>/decline/", views.membership_decline, name="membership_decline"),
    path("memberships/<int:pk>/role/", views.membership_change_role, name="membership_change_role"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("me/organisations/", views.my_organisations, name="my_organisations"),
    path("coordination/organisations/", views.review_queue, name="review_queue"),
    path("coordination/imports/", imports.import_upload, name="import_upload"),
    path("coordination/imports/<int:pk>/", imports.import_status, name="import_status"),
]

for _kind, _plural in (("need", "needs"), ("capability", "capabilities")):
    urlpatterns += [
        path(f"{_plural}/", views.listing_browse, {"kind": _kind}, name=f"{_kind}_list"),
        path(f"{_plural}/new/", views.listing_create, {"kind": _kind}, name=f"{_kind}_create"),
        path(f"{_plural}/<int:pk>/", views.listing_detail, {"kind": _kind}, name=f"{_kind}_detail"),
        path(f"{_plural}/<int:pk>/edit/", views.listing_edit, {"kind": _kind}, name=f"{_kind}_edit"),
        path(f"{_plural}/<int:pk>/publish/", views.listing_publish, {"kind": _kind}, name=f"{_kind}_publish"),
        path(f"{_plural}/<int:pk>/close/", views.listing_close, {"kind": _kind}, name=f"{_kind}_close"),
    ]
urlpatterns.append(path("taxonomy/", views.taxonomy, name="taxonomy"))
