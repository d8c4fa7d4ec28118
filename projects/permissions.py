from partners.models import Membership
from partners.permissions import is_coordinator


def can_view_project(user, project) -> bool:
    """Parties' members and coordinators see a project."""
    if is_coordinator(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, status=Membership.Status.ACTIVE, organisation__project_parties__project=project
    ).exists()
