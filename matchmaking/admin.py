from django.contrib import admin

from matchmaking.models import MatchRun, Proposal, SisterCity


@admin.register(SisterCity)
class SisterCityAdmin(admin.ModelAdmin):
    """Coordinators record the sister-city pairs; matches between them get a bonus."""

    list_display = ("city_a", "country_a", "city_b", "country_b", "since")
    search_fields = ("city_a", "city_b")


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    # Decisions go through the review queue (services): here proposals are only read.
    list_display = ("need", "capability", "score", "status", "computed_at")
    list_filter = ("status",)
    raw_id_fields = ("need", "capability", "decided_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "processed", "total", "proposals", "finished_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
