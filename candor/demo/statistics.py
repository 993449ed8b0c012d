"""Demo page-view statistics: thirty finished days of plausible counts (weekdays busier than
weekends), so the staff statistics page has something to show. Counts only, as the real
collection leaves them after its daily rollover: no digest, no salt."""

from __future__ import annotations

import datetime as dt
import random

from candor.core import clock
from candor.stats.models import DIRECT, INTERNAL, DayTotal, Dimension, PageDay, Tally

PAGES = {
    "/public/": 30,
    "/public/vacancies/": 22,
    "/public/vacancies/12/": 6,
    "/public/vacancies/17/": 5,
    "/public/vacancies/23/": 3,
    "/public/about/": 6,
    "/public/privacy/": 4,
    "/public/cookies/": 2,
    "/public/contact/": 5,
    "/public/my/": 3,
}
REFERRERS = {
    INTERNAL: 45,
    DIRECT: 25,
    "google.com": 15,
    "linkedin.com": 6,
    "vdab.be": 4,
    "indeed.com": 3,
    "duckduckgo.com": 1,
    "bing.com": 1,
}
BROWSERS = {"chrome": 48, "safari": 24, "edge": 12, "firefox": 9, "samsung": 5, "other": 2}
SCREENS = {"small": 46, "medium": 9, "large": 30, "wide": 14, "unknown": 1}


def _split(total: int, weights: dict[str, int], rng: random.Random) -> dict[str, int]:
    """``total`` shared out roughly by ``weights``, a little different every day."""
    shares = {key: weight * rng.uniform(0.7, 1.3) for key, weight in weights.items()}
    whole = sum(shares.values())
    split = {key: int(total * share / whole) for key, share in shares.items()}
    first = next(iter(split))
    split[first] += total - sum(split.values())
    return {key: n for key, n in split.items() if n}


def demo_statistics(*, rng: random.Random, days: int = 30) -> dict[str, int]:
    today = clock.today()
    totals, pages, tallies = [], [], []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        busy = (40, 90) if day.weekday() >= 5 else (140, 260)
        views = rng.randint(*busy)
        uniques = int(views * rng.uniform(0.45, 0.6))
        totals.append(DayTotal(day=day, views=views, uniques=uniques))
        for page, n in _split(views, PAGES, rng).items():
            pages.append(PageDay(day=day, page=page, views=n, uniques=max(1, int(n * 0.75))))
        for dimension, weights in (
            (Dimension.REFERRER, REFERRERS),
            (Dimension.BROWSER, BROWSERS),
            (Dimension.SCREEN, SCREENS),
        ):
            tallies += [
                Tally(day=day, dimension=dimension, value=value, views=n)
                for value, n in _split(views, weights, rng).items()
            ]
    DayTotal.objects.bulk_create(totals)
    PageDay.objects.bulk_create(pages)
    Tally.objects.bulk_create(tallies)
    return {"days": len(totals), "views": sum(t.views for t in totals)}
