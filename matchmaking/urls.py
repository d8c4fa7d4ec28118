from django.urls import path

from matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("coordination/proposals/", views.review_queue, name="review_queue"),
    path("coordination/proposals/reject/", views.proposals_reject_bulk, name="proposals_reject_bulk"),
    path("coordination/proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("coordination/proposals/<int:pk>/approve/", views.proposal_approve, name="proposal_approve"),
    path("coordination/proposals/<int:pk>/reject/", views.proposal_reject, name="proposal_reject"),
    path("coordination/matching/", views.matching_status, name="matching_status"),
    path("coordination/matching/start/", views.matching_start, name="matching_start"),
    path("proposals/", views.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/respond/", views.proposal_respond, name="proposal_respond"),
]
