from celery import shared_task

# Late acknowledgement (settings): a job whose worker is killed is delivered again,
# and every job here is idempotent, so the rerun ends with the same proposals.


@shared_task(name="matchmaking.tasks.match_listing", ignore_result=True)
def match_listing(kind: str, listing_id: int) -> int:
    from matchmaking import services

    return services.listing_rematch(kind=kind, listing_id=listing_id)


@shared_task(name="matchmaking.tasks.run_full_rematch", ignore_result=True)
def run_full_rematch(run_id: int) -> None:
    from matchmaking import services

    services.matching_run_execute(run_id=run_id)


@shared_task(name="matchmaking.tasks.nightly_rematch", ignore_result=True)
def nightly_rematch() -> None:
    """Beat's nightly full rematch; skipped when a coordinator's run is under way."""
    from matchmaking.models import MatchRun
    from matchmaking import services

    if MatchRun.objects.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists():
        return
    run = MatchRun.objects.create()
    services.matching_run_execute(run_id=run.pk)
