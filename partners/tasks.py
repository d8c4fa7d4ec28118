from celery import shared_task


@shared_task(name="partners.tasks.close_expired_listings", ignore_result=True)
def close_expired_listings() -> int:
    from partners.services import listings_close_expired

    return listings_close_expired()
