"""``candor search rebuild`` and ``candor search query TEXT``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from candor.core.progress import progress
from candor.people.models import Person
from candor.search.services import CandidateSearch, search_candidates, search_rebuild


class Command(BaseCommand):
    help = "Rebuild the candidate search index, or try a search from the command line."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("rebuild", help="rebuild the whole index (progress bar on a terminal)")
        query = sub.add_parser("query", help="print the best matches for a free-text search")
        query.add_argument("text")
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            total = Person.objects.filter(is_candidate=True).count()
            with progress(total, unit="cand", desc="search index") as bar:
                indexed = search_rebuild(on_progress=bar.update)
            self.stdout.write(f"search index rebuilt: {indexed} candidates")
            return
        page = search_candidates(CandidateSearch(text=options["text"]), per_page=options["limit"])
        for note in page.notes:
            self.stderr.write(note)
        for person in page.people:
            self.stdout.write(f"#{person.pk}\t{person}")
        more = "+" if page.total_capped else ""
        self.stdout.write(f"{page.total}{more} candidates match")
