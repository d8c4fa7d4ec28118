from django.core.management.base import BaseCommand, CommandError

from matchmaking import services
from matchmaking.models import Proposal


class Command(BaseCommand):
    help = "Compute every proposal. --sync runs in this process (no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="compute here instead of queueing a job for the worker")

    def handle(self, *args, sync: bool = False, **options):
        if not sync:
            from matchmaking.models import MatchRun
            from matchmaking.tasks import run_full_rematch

            run = MatchRun.objects.create()
            try:
                run_full_rematch.delay(run.pk)
            except Exception as exc:  # noqa: BLE001 — the broker is down: say so plainly
                run.delete()
                raise CommandError(f"Could not queue the job ({exc}); use --sync to compute here.")
            self.stdout.write(f"Full rematch queued as run {run.pk}.")
            return
        stored, seconds = services.matching_run_sync()
        shown = Proposal.objects.filter(status=Proposal.Status.SUGGESTED).count()
        self.stdout.write(f"Matched in {seconds:.2f} s: {stored} proposals computed, {shown} open proposals in all.")
