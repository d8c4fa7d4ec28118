"""Every write about projects."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.exceptions import conflict
from core.notifications import notify_organisations
from projects.models import Project, ProjectParty


@transaction.atomic
def project_create_from_proposal(*, proposal, by) -> Project:
    """The project an approved match becomes: the need's organisation leads, the
    capability's is its partner; both are invited and told."""
    need, capability = proposal.need, proposal.capability
    project = Project(
        title=need.title[:200],
        summary=_("%(need)s — answered by “%(capability)s” of %(organisation)s.")
        % {"need": need.description[:1500], "capability": capability.title, "organisation": capability.organisation.name},
        city=need.effective_city,
        country=need.effective_country,
        proposal=proposal,
        created_by=by,
    )
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        # The one-project-per-proposal constraint: another approval got there first.
        raise conflict(_("This proposal has already become a project."))
    project.topics.set(list(need.topics.all()) + list(capability.topics.all()))
    ProjectParty.objects.bulk_create([
        ProjectParty(project=project, organisation=need.organisation, role=ProjectParty.Role.LEAD),
        ProjectParty(project=project, organisation=capability.organisation, role=ProjectParty.Role.PARTNER),
    ])
    notify_organisations(
        organisations=[need.organisation, capability.organisation],
        template="projects/email/project_created",
        context={"project": project, "need": need, "capability": capability},
        url=project.get_absolute_url(),
    )
    return project
