import json

from django.core.management.base import BaseCommand

from matchmaking.models import Proposal
from matchmaking.weights import MIN_SCORE


class Command(BaseCommand):
    help = 'Print the proposals as JSON: [{"need": ref, "capability": ref, "score": 0.83, "rank": 1}, …], ranked per need.'

    def handle(self, *args, **options):
        rows = (
            Proposal.objects.exclude(status=Proposal.Status.WITHDRAWN)
            .filter(score__gte=MIN_SCORE)
            .values("need_id", "need__ref", "capability_id", "capability__ref", "score")
            .order_by("need_id", "-score", "capability_id")
        )
        out, rank, last_need = [], 0, None
        for row in rows:
            rank = rank + 1 if row["need_id"] == last_need else 1
            last_need = row["need_id"]
            out.append({
                "need": row["need__ref"] or str(row["need_id"]),
                "capability": row["capability__ref"] or str(row["capability_id"]),
                "score": round(row["score"], 4),
                "rank": rank,
            })
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
