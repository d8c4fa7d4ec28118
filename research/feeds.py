"""The library's Atom feed: the latest publications, with the library's filters (?topic=… &type=…)."""
from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from research import selectors
from research.forms import LibraryFilterForm
from research.models import Publication

FEED_SIZE = 30


class LanguageTaggedAtomFeed(Atom1Feed):
    """Atom whose entries carry xml:lang: each entry is in its publication's language, not the site's."""

    def write_items(self, handler):
        for item in self.items:
            language = item.get("content_language")
            handler.startElement("entry", {"xml:lang": language} if language else {})
            self.add_item_elements(handler, item)
            handler.endElement("entry")


class PublicationFeed(Feed):
    feed_type = LanguageTaggedAtomFeed

    def get_object(self, request, *args, **kwargs):
        """The filters and the path asked for (one Feed instance serves every request: no state on self)."""
        form = LibraryFilterForm(request.GET or None, topics=selectors.Topic.objects.filter(is_active=True),
                                 years=selectors.publication_years() if request.GET.get("year") else ())
        # Invalid filters are ignored rather than answered with an error: a feed reader shows no form.
        filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
        return {"filters": filters, "path": request.get_full_path()}

    def title(self):
        return _("China–CEE smart-city research library")

    def subtitle(self):
        return _("Reports, policy briefs, evaluations, standard proposals and data sets from think tanks and universities.")

    def link(self):
        return reverse("research:library")

    def feed_url(self, obj):
        return obj["path"]

    def items(self, obj):
        return selectors.publication_library(filters=obj["filters"])[:FEED_SIZE]

    def item_title(self, item: Publication) -> str:
        return item.title

    def item_description(self, item: Publication) -> str:
        # Atom's summary is typed html here: the plain abstract is escaped into paragraphs.
        return linebreaks(item.abstract, autoescape=True)

    def item_link(self, item: Publication) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Publication):
        return item.published_at

    def item_updateddate(self, item: Publication):
        return item.updated_at

    def item_author_name(self, item: Publication) -> str:
        return ", ".join(item.authors) if item.authors else item.organisation.name

    def item_categories(self, item: Publication) -> list[str]:
        return [item.get_type_display(), *(topic.label() for topic in item.topics.all())]

    def item_enclosure_url(self, item: Publication) -> str | None:
        return reverse("research:publication_pdf", kwargs={"pk": item.pk}) if item.pdf else None

    def item_enclosure_length(self, item: Publication) -> int:
        return item.pdf_size or 0

    def item_enclosure_mime_type(self, item: Publication) -> str:
        return "application/pdf"

    def item_extra_kwargs(self, item: Publication) -> dict:
        return {"content_language": item.language}
