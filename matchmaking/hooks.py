"""What listings tell matchmaking when they change (called inside their service's transaction)."""
from __future__ import annotations


def listing_changed(listing) -> None:
    """Recompute the listing's proposals after commit (published or changed), or
    withdraw its open proposals (closed)."""
    from core.queue import enqueue_on_commit
    from matchmaking.tasks import match_listing
    from partners.services import listing_kind

    enqueue_on_commit(match_listing, listing_kind(listing), listing.pk)
