"""Index upkeep for single saves and deletes, in the same transaction as the change.

Batch writers (``insert_rows``, ``bulk_update``) send no signals; they call
``search_index`` themselves.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from candor.people.models import Address, Person
from candor.recruitment.models import (
    Application,
    CandidateProfile,
    Education,
    Experience,
    LanguageSkill,
    Skill,
)
from candor.search.backends import backend
from candor.search.services import search_index, search_remove

SECTIONS = (Address, Application, CandidateProfile, Education, Experience, LanguageSkill, Skill)


@receiver(post_save, sender=Person)
def _person_saved(sender: Any, instance: Person, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        search_index([instance.pk])


@receiver(post_delete, sender=Person)
def _person_deleted(sender: Any, instance: Person, **kwargs: Any) -> None:
    search_remove([instance.pk])


def _section_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # a person deleted meanwhile simply leaves the index (documents_for says so)
        search_index([instance.person_id])


for _model in SECTIONS:
    post_save.connect(_section_changed, sender=_model, dispatch_uid=f"search-{_model.__name__}")
    post_delete.connect(_section_changed, sender=_model, dispatch_uid=f"search-d-{_model.__name__}")


@receiver(post_migrate)
def _prune(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """After a migrate or a flush, drop entries of people who are gone (tests flush often)."""
    if getattr(sender, "label", "") == "search":
        backend().prune()
