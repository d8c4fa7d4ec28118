"""Admin for research records: read and tidy; state changes go through the services' actions."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError
from research import services
from research.models import Evaluation, Event, Publication, PublicationTranslation, Registration


class PublicationTranslationInline(admin.TabularInline):
    model = PublicationTranslation
    extra = 0


def _each(modeladmin, request, queryset, action) -> None:
    for obj in queryset:
        try:
            action(obj)
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.WARNING)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = ("title", "type", "organisation", "language", "status", "published_at", "featured_at")
    list_filter = ("status", "type", "language")
    search_fields = ("title", "abstract")
    raw_id_fields = ("organisation", "created_by", "featured_by")
    readonly_fields = ("status", "published_at", "featured_at", "featured_by", "pdf_size", "created_at", "updated_at")
    filter_horizontal = ("topics",)
    inlines = [PublicationTranslationInline]
    actions = ["feature_selected", "unfeature_selected"]

    @admin.action(description=_("Feature on the home page"))
    def feature_selected(self, request, queryset):
        _each(self, request, queryset, lambda p: services.publication_feature(publication=p, by=request.user, featured=True))

    @admin.action(description=_("Stop featuring"))
    def unfeature_selected(self, request, queryset):
        _each(self, request, queryset, lambda p: services.publication_feature(publication=p, by=request.user, featured=False))


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("title", "project", "organisation", "status", "published_at")
    list_filter = ("status",)
    raw_id_fields = ("project", "organisation", "report", "created_by")
    readonly_fields = ("status", "published_at", "created_at", "updated_at")


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    raw_id_fields = ("user", "organisation")
    readonly_fields = ("status", "cancelled_at", "created_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "starts_at", "timezone", "status", "featured_at")
    list_filter = ("status",)
    search_fields = ("title",)
    raw_id_fields = ("organisation", "created_by", "featured_by")
    readonly_fields = ("status", "published_at", "cancelled_at", "featured_at", "featured_by", "created_at", "updated_at")
    inlines = [RegistrationInline]
    actions = ["feature_selected", "unfeature_selected"]

    @admin.action(description=_("Feature on the home page"))
    def feature_selected(self, request, queryset):
        _each(self, request, queryset, lambda e: services.event_feature(event=e, by=request.user, featured=True))

    @admin.action(description=_("Stop featuring"))
    def unfeature_selected(self, request, queryset):
        _each(self, request, queryset, lambda e: services.event_feature(event=e, by=request.user, featured=False))
