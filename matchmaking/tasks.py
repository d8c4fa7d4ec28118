from celery import shared_task


@shared_task(name="matchmaking.tasks.match_listing", ignore_result=True, acks_late=True)
def match_listing(kind: str, listing_id: int) -> None:
    """Recompute one listing's proposals against the other side (matching lands in matchmaking.services)."""
    from matchmaking import services

    services.listing_rematch(kind=kind, listing_id=listing_id)
