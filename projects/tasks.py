from celery import shared_task

# Late acknowledgement (settings): a task whose worker dies is delivered again;
# each one below is idempotent at the database, so a rerun changes nothing twice.


@shared_task(name="projects.tasks.notify_event", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True,
             max_retries=5)
def notify_event(event_id: int) -> int:
    """Tell the other parties of one audit event (in-app and by email)."""
    from projects.services import event_notify

    return event_notify(event_id=event_id)


@shared_task(name="projects.tasks.flag_overdue_milestones", ignore_result=True)
def flag_overdue_milestones() -> int:
    """Beat, daily: flag milestones past their due date and tell the parties."""
    from projects.services import milestones_flag_overdue

    return milestones_flag_overdue()


@shared_task(name="projects.tasks.agreements_take_effect", ignore_result=True)
def agreements_take_effect() -> int:
    """Beat, daily: signed agreements whose effective date has come are in force."""
    from projects.services import agreements_take_effect_due

    return agreements_take_effect_due()
