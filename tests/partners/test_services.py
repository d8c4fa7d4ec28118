import pytest
from django.core import mail

from core.exceptions import DomainError, ErrorKind
from partners import services
from partners.models import Membership, Organisation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(by, **overrides):
    data = {"name": "City of Belgrade", "kind": "city", "country": "RS", "city": "Belgrade"}
    data.update(overrides)
    return services.organisation_create(by=by, **data)


def test_creating_an_organisation_makes_its_creator_admin_and_leaves_it_pending(outsider):
    organisation = create(outsider)
    assert organisation.status == Organisation.Status.PENDING
    membership = Membership.objects.get(user=outsider, organisation=organisation)
    assert membership.role == Membership.Role.ADMIN and membership.is_active
    outsider.refresh_from_db()
    assert outsider.acting_organisation == organisation


def test_a_duplicate_name_in_the_same_country_is_refused_whatever_its_case(outsider):
    create(outsider)
    with pytest.raises(DomainError) as error:
        create(UserFactory(), name="city of BELGRADE")
    assert error.value.kind is ErrorKind.CONFLICT and error.value.field == "name"
    assert Organisation.objects.count() == 1


def test_the_same_name_in_another_country_is_allowed(outsider):
    create(outsider)
    create(outsider, country="ME", city="Podgorica")
    assert Organisation.objects.count() == 2


def test_a_country_outside_the_mechanism_is_refused(outsider):
    with pytest.raises(DomainError) as error:
        create(outsider, country="FR")
    assert error.value.field == "country"


def test_coordinator_verifies_a_pending_organisation_and_its_admins_are_told(
    pending_organisation, org_admin, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(organisation=pending_organisation, by=coordinator)
    pending_organisation.refresh_from_db()
    assert pending_organisation.status == Organisation.Status.VERIFIED
    assert pending_organisation.reviewed_by == coordinator
    assert [m.to for m in mail.outbox] == [[org_admin.email]]


def test_a_member_cannot_verify_their_own_organisation(pending_organisation, org_admin):
    with pytest.raises(DomainError) as error:
        services.organisation_verify(organisation=pending_organisation, by=org_admin)
    assert error.value.kind is ErrorKind.FORBIDDEN


def test_verifying_twice_is_a_conflict(pending_organisation, coordinator):
    services.organisation_verify(organisation=pending_organisation, by=coordinator)
    with pytest.raises(DomainError) as error:
        services.organisation_verify(organisation=pending_organisation, by=coordinator)
    assert error.value.kind is ErrorKind.CONFLICT


def test_rejection_needs_a_reason_which_the_admins_then_see(pending_organisation, coordinator):
    with pytest.raises(DomainError) as error:
        services.organisation_reject(organisation=pending_organisation, by=coordinator, reason="  ")
    assert error.value.field == "reason"
    services.organisation_reject(organisation=pending_organisation, by=coordinator, reason="Website does not load")
    pending_organisation.refresh_from_db()
    assert pending_organisation.status == Organisation.Status.REJECTED
    assert pending_organisation.rejection_reason == "Website does not load"


def test_a_rejected_organisation_can_be_resubmitted_by_its_admin(pending_organisation, org_admin, coordinator):
    services.organisation_reject(organisation=pending_organisation, by=coordinator, reason="No website")
    services.organisation_resubmit(organisation=pending_organisation, by=org_admin)
    pending_organisation.refresh_from_db()
    assert pending_organisation.status == Organisation.Status.PENDING


def test_join_request_then_accept_makes_an_active_member(organisation, org_admin, outsider, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.membership_request(organisation=organisation, user=outsider, message="Hello")
    assert membership.status == Membership.Status.REQUESTED
    assert mail.outbox[-1].to == [org_admin.email]
    services.membership_accept(membership=membership, by=org_admin)
    membership.refresh_from_db()
    assert membership.is_active and membership.role == Membership.Role.MEMBER
    outsider.refresh_from_db()
    assert outsider.acting_organisation == organisation


def test_asking_twice_to_join_is_a_conflict(organisation, outsider):
    services.membership_request(organisation=organisation, user=outsider)
    with pytest.raises(DomainError) as error:
        services.membership_request(organisation=organisation, user=outsider)
    assert error.value.kind is ErrorKind.CONFLICT


def test_nobody_can_join_a_pending_organisation(pending_organisation, outsider):
    with pytest.raises(DomainError):
        services.membership_request(organisation=pending_organisation, user=outsider)


def test_a_plain_member_cannot_accept_join_requests(organisation, member, outsider):
    membership = services.membership_request(organisation=organisation, user=outsider)
    with pytest.raises(DomainError) as error:
        services.membership_accept(membership=membership, by=member)
    assert error.value.kind is ErrorKind.FORBIDDEN


def test_a_declined_user_may_ask_again(organisation, org_admin, outsider):
    membership = services.membership_request(organisation=organisation, user=outsider)
    services.membership_decline(membership=membership, by=org_admin)
    again = services.membership_request(organisation=organisation, user=outsider)
    assert again.pk == membership.pk and again.status == Membership.Status.REQUESTED


def test_the_last_admin_can_neither_leave_nor_be_demoted(organisation, org_admin):
    membership = Membership.objects.get(user=org_admin, organisation=organisation)
    with pytest.raises(DomainError):
        services.membership_remove(membership=membership, by=org_admin)
    with pytest.raises(DomainError):
        services.membership_change_role(membership=membership, by=org_admin, role="member")


def test_an_admin_promotes_a_member_who_may_then_demote_the_first_admin(organisation, org_admin, member):
    member_ship = Membership.objects.get(user=member, organisation=organisation)
    services.membership_change_role(membership=member_ship, by=org_admin, role="admin")
    first = Membership.objects.get(user=org_admin, organisation=organisation)
    services.membership_change_role(membership=first, by=member, role="member")
    first.refresh_from_db()
    assert first.role == Membership.Role.MEMBER


def test_leaving_the_acting_organisation_switches_to_another(organisation, pending_organisation, member):
    member.acting_organisation = organisation
    member.save()
    services.membership_remove(membership=Membership.objects.get(user=member, organisation=organisation), by=member)
    member.refresh_from_db()
    assert member.acting_organisation == pending_organisation


def test_a_user_acts_only_for_an_organisation_they_belong_to(organisation, pending_organisation, member, outsider):
    services.user_set_acting_organisation(user=member, organisation=pending_organisation)
    assert member.acting_organisation == pending_organisation
    with pytest.raises(DomainError):
        services.user_set_acting_organisation(user=outsider, organisation=organisation)
