from django.core.management.base import BaseCommand

from partners.taxonomy import shipped_taxonomy
from partners.taxonomy_store import taxonomy_load


class Command(BaseCommand):
    help = "Load (or update) the shipped smart-city taxonomy into the database. Idempotent."

    def handle(self, *args, **options):
        data = shipped_taxonomy()
        created, updated = taxonomy_load(data=data)
        self.stdout.write(f"Taxonomy {data.version}: {created} topics created, {updated} updated, {len(data.topics)} in the file.")
