"""The access export (R6.4): complete, derived from the registry, readable in the person's
language; delivering it leaves a ledger row and an audit event (R4.5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from candor.privacy.tests.test_erasure import full_dossier, tmp_media  # noqa: F401 - fixture
from candor.rights.access import access_export

pytestmark = [pytest.mark.django_db, pytest.mark.req("R6.4")]


def test_smoke(actor, consultant, tmp_media):  # noqa: F811
    person = full_dossier(actor, consultant, tmp_media)
    export = access_export(person.pk)
    print(json.dumps(export, indent=1, ensure_ascii=False)[:6000])
