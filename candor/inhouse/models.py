"""Supervised in-house access (R4.2): which consultant is posted at which client, the sessions
in which a client's user may use the candidate database, and what they looked at.

An in-house client user belongs to one client organisation: ``accounts.User.client`` already
holds that link, so this app adds none of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candor.people.models import Person
from candor.privacy.registry import personal_data


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "consultant": "the staff member posted at the client (accountability)",
        "organisation": "the client organisation",
        "starts_on": "term of the posting",
        "ends_on": "term of the posting",
        "created_at": "bookkeeping",
        "created_by": "staff member who recorded the posting (accountability)",
    },
)
class Posting(models.Model):
    """A consultant posted at a client from ``starts_on`` to ``ends_on`` (open-ended: none)."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    organisation = models.ForeignKey(
        "relations.Organisation",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["consultant", "organisation"])]

    def __str__(self) -> str:
        return f"{self.consultant} @ {self.organisation}"


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "posting": "the posting the session belongs to",
        "client_user": "the client's user who works in the session (accountability)",
        "opened_by": "consultant who opened it (accountability)",
        "opened_at": "time box",
        "ends_at": "time box",
        "closed_at": "time box",
        "closed_by": "who closed it (accountability)",
        "vacancies": "the client's vacancies the session may search for (scope)",
        "filters": "names of the search filters allowed (scope), not data",
    },
    on_erasure="keep_row",
)
class SupervisionSession(models.Model):
    """A time-boxed, scoped window in which ``client_user`` may search and read limited
    dossiers, under the eye of the consultant posted at their organisation."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="sessions")
    client_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("client user"),
        on_delete=models.PROTECT,
        related_name="supervision_sessions",
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    ends_at = models.DateTimeField(_("ends at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    vacancies = models.ManyToManyField(
        "recruitment.Vacancy", verbose_name=_("vacancies"), related_name="+"
    )
    filters = models.JSONField(_("search filters allowed"), default=list)

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["client_user", "closed_at", "ends_at"])]

    def __str__(self) -> str:
        return f"session {self.pk}"


class ViewKind(models.TextChoices):
    SEARCH = "search", _("Search")
    DOSSIER = "dossier", _("Dossier")


@personal_data(
    subject="person",
    not_personal={
        "id": "surrogate key",
        "session": "the supervision session",
        "kind": "search or dossier view",
        "person": "whose dossier was viewed (none for a search)",
        "vacancy": "the vacancy the search was for",
        "query": "search filters used: words about functions, skills, languages and regions "
        "(no name or free-text search is offered in a session)",
        "shown": "ids of the candidates a search listed (surrogate keys)",
        "at": "when",
    },
    on_erasure="keep_row",
    description="What an in-house client user searched for and viewed in a session (R4.2)",
)
class SessionView(models.Model):
    session = models.ForeignKey(SupervisionSession, on_delete=models.PROTECT, related_name="views")
    kind = models.CharField(_("kind"), max_length=8, choices=ViewKind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    vacancy = models.ForeignKey(
        "recruitment.Vacancy", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.JSONField(_("search"), default=dict, blank=True)
    shown = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("session view")
        verbose_name_plural = _("session views")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["session", "-at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
