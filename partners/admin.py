from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from partners import services
from partners.models import Capability, Membership, Need, Organisation, Topic


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "decided_by")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "country", "city", "status", "created_at")
    list_filter = ("status", "kind", "country")
    search_fields = ("name", "city")
    readonly_fields = ("status", "reviewed_at", "reviewed_by", "created_by", "created_at", "updated_at")
    inlines = [MembershipInline]
    actions = ["verify_selected"]

    @admin.action(description=_("Verify selected organisations"))
    def verify_selected(self, request, queryset):
        for organisation in queryset:
            try:
                services.organisation_verify(organisation=organisation, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{organisation}: {error.message}", messages.WARNING)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "status", "created_at")
    list_filter = ("role", "status")
    raw_id_fields = ("user", "organisation", "decided_by")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Coordinators keep the shared taxonomy here; tagging and matching use it as edited."""

    list_display = ("code", "english_label", "chinese_label", "parent", "version", "is_active")
    list_filter = ("parent", "is_active", "version")
    search_fields = ("code",)
    ordering = ("position",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("English"))
    def english_label(self, topic):
        return topic.labels.get("en", "")

    @admin.display(description=_("Simplified Chinese"))
    def chinese_label(self, topic):
        return topic.labels.get("zh-hans", "")


class _ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "language", "status", "expires_on", "ref")
    list_filter = ("status", "language")
    search_fields = ("title", "description", "ref")
    raw_id_fields = ("organisation", "created_by")
    filter_horizontal = ("topics",)


admin.site.register(Need, _ListingAdmin)
admin.site.register(Capability, _ListingAdmin)
