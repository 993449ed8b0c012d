"""What a visitor of the public site may see: open vacancies only, never the client's name.

The public pages are read far more often than vacancies change, so the rendered vacancy
fragments are cached per language and query (``fragment``); the key carries a stamp of the
vacancy table (latest change and count), so a changed vacancy shows at once. Nothing personal
and no form carrying a CSRF token is ever cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from candor.core import clock
from candor.recruitment.models import Vacancy, VacancyStatus

FRAGMENT_SECONDS = 300
STAMP_SECONDS = 2


@dataclass(frozen=True)
class Region:
    key: str
    label: object
    ranges: tuple[tuple[str, str], ...]  # [from, to) on the four-digit Belgian postcode


REGIONS = [
    Region("brussels", _("Brussels"), (("1000", "1300"),)),
    Region("antwerp", _("Antwerp"), (("2000", "3000"),)),
    Region("east_flanders", _("East Flanders"), (("9000", "9999"),)),
    Region("flemish_brabant", _("Flemish Brabant"), (("1500", "2000"), ("3000", "3500"))),
    Region("limburg", _("Limburg"), (("3500", "4000"),)),
    Region("west_flanders", _("West Flanders"), (("8000", "9000"),)),
    Region("walloon_brabant", _("Walloon Brabant"), (("1300", "1500"),)),
    Region("hainaut", _("Hainaut"), (("6000", "6600"), ("7000", "8000"))),
    Region("liege", _("Liège"), (("4000", "5000"),)),
    Region("luxembourg", _("Luxembourg"), (("6600", "7000"),)),
    Region("namur", _("Namur"), (("5000", "6000"),)),
]
REGION_BY_KEY = {region.key: region for region in REGIONS}
SINCE_DAYS = (1, 7, 30, 90)


def region_of(postcode: str) -> Region | None:
    code = postcode.strip()[:4]
    if len(code) != 4 or not code.isdigit():
        return None
    for region in REGIONS:
        if any(low <= code < high for low, high in region.ranges):
            return region
    return None


def open_vacancies() -> QuerySet[Vacancy]:
    """Open vacancies, newest first, with only the columns a visitor may see."""
    return (
        Vacancy.objects.filter(status=VacancyStatus.OPEN)
        .only("id", "reference", "title", "description", "postcode", "city", "opened_on")
        .order_by("-opened_on", "-id")
    )


def public_vacancies(
    *, text: str = "", region: str = "", sector: str = "", since_days: int | None = None
) -> QuerySet[Vacancy]:
    found = open_vacancies()
    for word in text.split()[:8]:
        found = found.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(city__icontains=word)
        )
    if region in REGION_BY_KEY:
        within = Q(pk__in=[])
        for low, high in REGION_BY_KEY[region].ranges:
            within |= Q(postcode__gte=low, postcode__lt=high)
        found = found.filter(within)
    if sector:
        found = found.filter(client__sector=sector)
    if since_days:
        found = found.filter(opened_on__gte=clock.today() - dt.timedelta(days=since_days))
    return found


def public_vacancy(vacancy_id: int) -> Vacancy | None:
    return open_vacancies().filter(pk=vacancy_id).first()


def sectors() -> list[str]:
    """Sectors of the clients with open vacancies (a sector names no client)."""
    key = f"web:sectors:{stamp()}"
    found = cache.get(key)
    if found is None:
        rows = (
            Vacancy.objects.filter(status=VacancyStatus.OPEN)
            .exclude(client__sector="")
            .values_list("client__sector", flat=True)
            .distinct()
        )
        found = sorted(set(rows))
        cache.set(key, found, FRAGMENT_SECONDS)
    return list(found)


def stamp() -> str:
    """The state of the vacancy table (latest change, count), read at most once every
    ``STAMP_SECONDS`` per cache: a change shows on the public pages within that time."""
    found = cache.get("web:stamp")
    if found is None:
        row = Vacancy.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
        latest = row["latest"]
        found = f"{latest.timestamp() if latest else 0}:{row['count']}:{clock.today()}"
        cache.set("web:stamp", found, STAMP_SECONDS)
    return str(found)


def fragment(name: str, query: str, render: Callable[[], str]) -> SafeString:
    """A rendered public fragment, cached per language, query and state of the vacancies."""
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    key = f"web:{name}:{get_language()}:{stamp()}:{digest}"
    cached = cache.get(key)
    if cached is None:
        cached = render()
        cache.set(key, cached, FRAGMENT_SECONDS)
    # Our own template's output, escaped when it was rendered: safe to insert as it is.
    return mark_safe(str(cached))  # noqa: S308
