from celery import shared_task


@shared_task(name="partners.tasks.close_expired_listings", ignore_result=True)
def close_expired_listings() -> int:
    from partners.services import listings_close_expired

    return listings_close_expired()


@shared_task(name="partners.tasks.import_listings_job", ignore_result=True, acks_late=True)
def import_listings_job(job_id: int) -> None:
    """Run one uploaded smartcity-listings/1 import; claiming the job makes a second delivery a no-op."""
    from partners.interchange import import_job_run

    import_job_run(job_id=job_id)
