import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from matchmaking.models import Proposal

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_evaluate_matching_on_the_labelled_sample_reaches_the_recall_target(taxonomy):
    output = run("evaluate_matching", "--listings", str(DATA / "matching-sample.json"), "--truth", str(DATA / "matching-truth.json"))
    recall = float(re.search(r"overall\s+recall@5 ([\d.]+)", output).group(1))
    assert recall >= 0.9, output
    assert "same-side proposals: 0" in output
    assert re.search(r"zh-hans\s+recall@5", output)


def test_run_matching_sync_prints_what_it_made_and_export_matches_ranks_by_ref(taxonomy):
    call_command("import_listings", str(DATA / "matching-sample.json"), stdout=StringIO())
    output = run("run_matching", "--sync")
    made = int(re.search(r"(\d+) proposals computed", output).group(1))
    assert made == Proposal.objects.count() > 0 and re.search(r"Matched in [\d.]+ s", output)
    exported = json.loads(run("export_matches"))
    assert exported and set(exported[0]) == {"need", "capability", "score", "rank"}
    sample = json.loads((DATA / "matching-sample.json").read_text())
    need_refs = {n["ref"] for n in sample["needs"]}
    assert {row["need"] for row in exported} <= need_refs
    for need in {row["need"] for row in exported}:
        rows = [row for row in exported if row["need"] == need]
        assert [row["rank"] for row in rows] == list(range(1, len(rows) + 1))
        assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)


def test_evaluate_matching_refuses_a_malformed_file_with_the_record_named(taxonomy, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "smartcity-listings/1", "organisations": [
        {"ref": "o1", "name": "X", "kind": "city", "country": "XX", "city": "Y"}], "needs": [], "capabilities": []}))
    with pytest.raises(CommandError, match=r"organisations\[0\] \(ref o1\)"):
        run("evaluate_matching", "--listings", str(bad), "--truth", str(DATA / "matching-truth.json"))
