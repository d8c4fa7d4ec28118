"""`manage.py import_listings FILE`: import a smartcity-listings/1 file, all or nothing."""
import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.exceptions import DomainError
from partners.interchange import listings_import

SECTION_LABELS = (("organisations", "Organisations"), ("needs", "Needs"), ("capabilities", "Capabilities"))


class Command(BaseCommand):
    help = (
        "Import organisations, needs and capabilities from a smartcity-listings/1 JSON file (- for stdin). "
        "All or nothing; importing the same file again changes nothing. See docs/interchange.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the JSON file, or - to read standard input")
        parser.add_argument("--by", metavar="EMAIL", help="the coordinator recorded as reviewer and creator (default: none)")

    def handle(self, *args, file: str, by: str | None, verbosity: int, **options):
        document = self._read(file)
        user = self._user(by) if by else None
        progress = self._progress if verbosity >= 2 else None
        try:
            summary = listings_import(document=document, by=user, progress=progress)
        except DomainError as error:
            raise CommandError(error.message)
        for section, label in SECTION_LABELS:
            counts = summary[section]
            self.stdout.write(f"{label}: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged")

    def _read(self, file: str):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {file}: {error}")
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not JSON: {error}")

    def _user(self, email: str):
        from partners.permissions import is_coordinator

        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None or not is_coordinator(user):
            raise CommandError(f"No coordinator with the address {email}.")
        return user

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"checked {done}/{total}", ending="\r" if done < total else "\n")
