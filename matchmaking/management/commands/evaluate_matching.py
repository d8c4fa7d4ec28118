import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import DomainError
from matchmaking import services
from matchmaking.evaluation import report
from matchmaking.models import Proposal
from matchmaking.weights import MIN_SCORE
from partners.interchange import listings_import


class Command(BaseCommand):
    help = (
        "Import a smartcity-listings/1 file into the current database, run matching, and print "
        "recall@5 and nDCG@5 against graded truth ({need_ref: {capability_ref: 2|1}}), overall and per language."
    )

    def add_arguments(self, parser):
        parser.add_argument("--listings", required=True, type=Path)
        parser.add_argument("--truth", required=True, type=Path)
        parser.add_argument("-k", type=int, default=5)

    def handle(self, *args, listings: Path, truth: Path, k: int, **options):
        try:
            document = json.loads(listings.read_text(encoding="utf-8"))
            grades = json.loads(truth.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the input: {exc}")
        try:
            listings_import(document=document)
        except DomainError as error:
            raise CommandError(error.message)
        stored, seconds = services.matching_run_sync()
        ranked = self._ranked()
        languages = {n["ref"]: n.get("language", "en") for n in document.get("needs", [])}
        result = report(ranked, grades, languages, k=k)
        same_side = self._same_side_pairs()
        self._print(result, k, stored, seconds, same_side)

    def _ranked(self) -> dict[str, list[str]]:
        ranked: dict[str, list[str]] = {}
        rows = (
            Proposal.objects.exclude(status=Proposal.Status.WITHDRAWN)
            .filter(score__gte=MIN_SCORE, need__ref__isnull=False)
            .order_by("need_id", "-score", "capability_id")
            .values_list("need__ref", "capability__ref", "capability_id")
        )
        for need_ref, cap_ref, cap_id in rows:
            ranked.setdefault(need_ref, []).append(cap_ref or str(cap_id))
        return ranked

    def _same_side_pairs(self) -> int:
        pairs = Proposal.objects.values_list("need__organisation__country", "capability__organisation__country", "need__audience")
        return sum(1 for a, b, audience in pairs if (a == "CN") == (b == "CN") and audience != "anywhere")

    def _print(self, result: dict, k: int, stored: int, seconds: float, same_side: int) -> None:
        overall = result["overall"]
        self.stdout.write(f"Matched in {seconds:.2f} s ({stored} proposals). Needs with truth: {overall['needs']}.")
        self.stdout.write(f"overall      recall@{k} {overall['recall']:.3f}   nDCG@{k} {overall['ndcg']:.3f}")
        for language, values in result["by_language"].items():
            self.stdout.write(
                f"{language:<12} recall@{k} {values['recall']:.3f}   nDCG@{k} {values['ndcg']:.3f}   ({values['needs']} needs)"
            )
        self.stdout.write(f"same-side proposals: {same_side}")
