"""Projects in the admin: to look, not to bypass the workflow. States change only
through the services (the pages and the API); the audit trail is read-only."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from projects.models import Agreement, AuditEvent, Project, ProjectParty


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(_ReadOnly, admin.TabularInline):
    model = ProjectParty
    extra = 0
    fields = ("organisation", "role", "status", "public_consent", "responded_at")
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "stage", "city", "country", "is_public", "created_at")
    list_filter = ("stage", "country", "is_public")
    search_fields = ("title", "summary")
    inlines = [PartyInline]


@admin.register(Agreement)
class AgreementAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ("title", "project", "type", "state", "version", "effective_date")
    list_filter = ("state", "type")
    search_fields = ("title", "project__title")
    raw_id_fields = ("project",)


@admin.register(AuditEvent)
class AuditEventAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("created_at", "project", "agreement", "action", "from_state", "to_state", "actor_name", "organisation")
    list_filter = ("action",)
    search_fields = ("project__title", "agreement__title", "actor_name", "comment")
    list_select_related = ("project", "agreement", "organisation")
