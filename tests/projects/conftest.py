"""A project between the personas' organisation (Sofia, the lead) and a Chinese
company (the partner, with its own administrator), and helpers that drive an
agreement to any state through the services, the way the parties would."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.models import Membership
from projects import services
from projects.models import Agreement, Project, ProjectParty
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str = "contract.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def parties(organisation, org_admin, member):
    partner = OrganisationFactory(name="Hangzhou Lighting Co", slug="hangzhou-lighting", country="CN", city="Hangzhou",
                                  kind="company")
    partner_admin = UserFactory(email="partner-admin@example.org", full_name="Li Wei")
    MembershipFactory(user=partner_admin, organisation=partner, role=Membership.Role.ADMIN)
    return SimpleNamespace(lead=organisation, partner=partner, lead_admin=org_admin, lead_member=member,
                           partner_admin=partner_admin)


@pytest.fixture
def project(parties, coordinator) -> Project:
    """Proposed: both parties invited, neither has answered."""
    project = services.project_create(by=coordinator, title="LED street lighting for Sofia", city="Sofia", country="BG",
                                      summary="2,000 dimmable LED lamps with remote control.")
    services.party_add(project=project, organisation=parties.lead, role="lead", by=coordinator)
    services.party_add(project=project, organisation=parties.partner, role="partner", by=coordinator)
    return Project.objects.get(pk=project.pk)


def party_of(project: Project, organisation) -> ProjectParty:
    return ProjectParty.objects.get(project=project, organisation=organisation)


@pytest.fixture
def active_project(project, parties) -> Project:
    services.party_accept(party=party_of(project, parties.lead), by=parties.lead_admin)
    services.party_accept(party=party_of(project, parties.partner), by=parties.partner_admin)
    return Project.objects.get(pk=project.pk)


class Flow:
    """Drives an agreement through the services to the state a test needs."""

    def __init__(self, project, parties, coordinator):
        self.project, self.parties, self.coordinator = project, parties, coordinator

    def draft(self, **fields) -> Agreement:
        defaults = {"type": "mou", "title": "Memorandum on the lighting pilot",
                    "text": "The parties agree to pilot 200 lamps in Lozenets."}
        return services.agreement_create(project=self.project, by=self.parties.lead_member, **{**defaults, **fields})

    def to(self, state: str, **fields) -> Agreement:
        p, coordinator = self.parties, self.coordinator
        agreement = self.draft(**fields)
        path = {
            "draft": [], "in_review": ["submit"], "agreed": ["submit", "approve"],
            "signed": ["submit", "approve", "sign"], "in_force": ["submit", "approve", "sign", "put_in_force"],
            "completed": ["submit", "approve", "sign", "put_in_force", "complete"],
            "withdrawn": ["withdraw"], "terminated": ["submit", "approve", "sign", "terminate"],
        }[state]
        for step in path:
            agreement = Agreement.objects.get(pk=agreement.pk)
            if step == "submit":
                services.agreement_submit(agreement=agreement, by=p.lead_member)
            elif step == "approve":
                for admin in (p.lead_admin, p.partner_admin):
                    services.agreement_approve(agreement=Agreement.objects.get(pk=agreement.pk), by=admin)
            elif step == "sign":
                for admin in (p.lead_admin, p.partner_admin):
                    services.agreement_sign(agreement=Agreement.objects.get(pk=agreement.pk), by=admin,
                                            signatory=f"{admin.display_name}, director", signed_on=date.today(),
                                            signed_copy=pdf("signed.pdf"))
            elif step == "put_in_force":
                services.agreement_put_in_force(agreement=agreement, by=coordinator)
            elif step == "complete":
                services.agreement_complete(agreement=agreement, by=coordinator)
            elif step == "withdraw":
                services.agreement_withdraw(agreement=agreement, by=p.lead_admin, comment="Superseded.")
            elif step == "terminate":
                services.agreement_terminate(agreement=agreement, by=coordinator, comment="Funding ended.")
        agreement = Agreement.objects.get(pk=agreement.pk)
        assert agreement.state == state
        return agreement


@pytest.fixture
def flow(active_project, parties, coordinator) -> Flow:
    return Flow(active_project, parties, coordinator)
