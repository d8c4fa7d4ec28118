"""`manage.py export_listings [-o FILE]`: every verified organisation and published listing
as a smartcity-listings/1 document."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.interchange import listings_export


class Command(BaseCommand):
    help = "Export verified organisations and published needs and capabilities as smartcity-listings/1 JSON (stdout by default)."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, output: str | None, **options):
        text = json.dumps(listings_export(), ensure_ascii=False, indent=2) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}")
