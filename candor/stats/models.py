"""Page-view statistics that know no one (R1.5).

What is stored, and why none of it can be joined to a person:

- ``PageDay``, ``DayTotal``, ``Tally``: counts per day (no time of day), per page, referrer
  domain, browser family or screen class. Nothing in them names a visitor, a session or an
  address; they are kept as long as the agency wants its figures.
- ``Sighting``: for the current day only, a truncated HMAC of (address, browser string, host,
  page) under that day's salt, so a visitor seen twice on a page (or on the site) is counted
  once; the page in the message makes one visitor's digests differ from page to page, so they
  cannot be put together into a path. The rollover job folds a finished day into the counts
  and deletes its sightings.
- ``DailySalt``: 32 random bytes for one day. A new day's salt replaces (deletes) the old one the
  moment it is made, so yesterday's digests can no longer be recomputed from anyone's address.

When you add a field: it must be an aggregate or a classification with a handful of values, never
something a visitor sends verbatim; declare it ``not_personal`` with the reason, and extend the
privacy proof in ``candor/stats/tests/test_privacy_proof.py`` if it could carry a visitor's value.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.privacy.registry import personal_data

AGGREGATE = "a count over every visitor of one day, nobody's own value"


class Dimension(models.TextChoices):
    REFERRER = "referrer", _("Referrer domain")
    BROWSER = "browser", _("Browser family")
    SCREEN = "screen", _("Screen size")


class BrowserFamily(models.TextChoices):
    CHROME = "chrome", "Chrome"
    EDGE = "edge", "Edge"
    FIREFOX = "firefox", "Firefox"
    SAFARI = "safari", "Safari"
    OPERA = "opera", "Opera"
    SAMSUNG = "samsung", "Samsung Internet"
    OTHER = "other", _("Other browser")


class ScreenClass(models.TextChoices):
    SMALL = "small", _("Small (phone, under 600 pixels)")
    MEDIUM = "medium", _("Medium (tablet, 600 to 1023 pixels)")
    LARGE = "large", _("Large (laptop, 1024 to 1439 pixels)")
    WIDE = "wide", _("Wide (1440 pixels or more)")
    UNKNOWN = "unknown", _("Unknown")


# The Sighting "page" of a digest that counts a visitor over the whole site (no path is empty).
SITE = ""

# Referrer values that are not domains: '=' cannot occur in a host name, so they never collide.
DIRECT = "=direct"
INTERNAL = "=internal"
ADDRESS = "=address"  # a referrer given as an IP address rather than a domain


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "day": "the day counted (no time of day)",
        "views": AGGREGATE,
        "uniques": AGGREGATE,
    },
    description="Page views and distinct visitors of one day, over all pages.",
)
class DayTotal(models.Model):
    day = models.DateField(unique=True)
    views = models.PositiveIntegerField(default=0)
    uniques = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.views}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "day": "the day counted (no time of day)",
        "page": "a path of the public site, parameters other than public ids replaced by names",
        "views": AGGREGATE,
        "uniques": AGGREGATE,
    },
    description="Page views and distinct visitors of one public page on one day.",
)
class PageDay(models.Model):
    day = models.DateField()
    page = models.CharField(max_length=200)
    views = models.PositiveIntegerField(default=0)
    uniques = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "page"]
        constraints = [
            models.UniqueConstraint(fields=["day", "page"], name="stats_page_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.page}: {self.views}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "day": "the day counted (no time of day)",
        "dimension": "which classification is counted",
        "value": "a referrer domain, browser family or screen class: a class, not a visitor",
        "views": AGGREGATE,
    },
    description="Page views of one day by referrer domain, browser family or screen class.",
)
class Tally(models.Model):
    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=253)
    views = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "dimension", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "dimension", "value"], name="stats_tally_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.value}: {self.views}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "day": "the day the digest is valid for; deleted by the next rollover",
        "page": "a path of the public site, as in PageDay; empty for the whole site",
        "digest": (
            "truncated HMAC under a salt that is deleted when the day ends: no address or "
            "browser string, and not recomputable from one once the salt is gone"
        ),
    },
    description="Today's distinct visitors per page, only to count them once; folded and deleted "
    "daily.",
)
class Sighting(models.Model):
    day = models.DateField()
    page = models.CharField(max_length=200)
    digest = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "page", "digest"], name="stats_digest_once_a_page_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.page}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "day": "the only day the salt serves",
        "salt": "random bytes, derived from nobody; deleted when the next day's salt is made",
    },
    description="The salt of today's visitor digests (one row, replaced daily).",
)
class DailySalt(models.Model):
    day = models.DateField(unique=True)
    salt = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return str(self.day)
