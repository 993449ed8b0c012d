"""The privacy statement: our own text rendered from the policy (R8.1, R8.3), versions kept and
never changed once published, and who was shown, sent or accepted which one (R8.2)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import QuerySet

from candor.api.tests.factories import make_candidates
from candor.audit.models import AuditEvent
from candor.core.actor import Actor
from candor.people.models import Person
from candor.privacy.models import ReceiptKind, StatementReceipt, StatementVersion, Via
from candor.privacy.policy import DEFAULT_POLICY, LANGUAGES, policy
from candor.privacy.statement import (
    demo_statement,
    people_without_latest,
    statement_blocks,
    statement_current,
    statement_publish,
    statement_receipt_record,
    statement_render,
    statement_text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("R8.2")]

DAY = dt.date(2026, 3, 1)
CHANGES = {"nl": "Nieuwe bewaartermijn.", "fr": "Nouveau délai.", "en": "New retention period."}


@pytest.fixture
def own_policy(settings: Any, tmp_path: Path) -> Iterator[Callable[[str, str], None]]:
    """Point CANDOR_POLICY_FILE at an edited copy of the shipped policy."""

    def use(old: str, new: str) -> None:
        shipped = DEFAULT_POLICY.read_text(encoding="utf-8")
        assert old in shipped
        path = tmp_path / "policy.toml"
        path.write_text(shipped.replace(old, new), encoding="utf-8")
        settings.CANDOR_POLICY_FILE = str(path)
        policy.cache_clear()

    yield use
    policy.cache_clear()


@pytest.fixture
def published(actor: Actor) -> StatementVersion:
    return statement_publish(actor=actor, version="1.0", published_on=DAY)


@pytest.mark.req("R8.1", "R8.3")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_statement_names_controller_dpo_authority_and_purposes_from_the_policy(
    language: str,
) -> None:
    text = statement_render(language=language, version="3.1", published_on=DAY)
    rules = policy()

    for value in (
        rules.controller.name,
        rules.controller.address,
        rules.controller.email,
        rules.controller.phone,
        rules.dpo.email,
        rules.authority.name.get(language),
        rules.authority.email,
        "3.1",
    ):
        assert value in text, value
    for purpose in rules.purposes.values():
        assert purpose.label.get(language) in text, purpose.key
    assert f"{rules.retention.candidate.max_years} " in text
    assert f"{rules.retention.contract_party.bookkeeping_years} " in text


def test_each_language_has_its_own_text() -> None:
    texts = {
        lang: statement_render(language=lang, version="1", published_on=DAY) for lang in LANGUAGES
    }

    assert texts["nl"].startswith("# Privacyverklaring van")
    assert texts["fr"].startswith("# Déclaration de confidentialité de")
    assert texts["en"].startswith("# Privacy statement of")
    assert "1 maart 2026" in texts["nl"]
    assert "1 mars 2026" in texts["fr"]
    assert "1 March 2026" in texts["en"]
    with pytest.raises(ValueError, match="language must be one of"):
        statement_render(language="de", version="1", published_on=DAY)


@pytest.mark.req("R8.1", "R8.3")
def test_changing_the_policy_changes_the_rendered_text(own_policy: Any) -> None:
    own_policy('name = "Candor Demo Agency BV"', 'name = "Elders Werving NV"')
    text = statement_render(language="nl", version="1", published_on=DAY)
    assert "Elders Werving NV" in text
    assert "Candor Demo Agency BV" not in text

    own_policy('email = "dpo@agency.example.com"', 'email = "privacy-officer@elders.test"')
    text = statement_render(language="fr", version="1", published_on=DAY)
    assert "privacy-officer@elders.test" in text


def test_transfers_outside_the_eea_are_named_when_the_policy_has_them(own_policy: Any) -> None:
    assert "Europese Economische Ruimte" in statement_render(
        language="nl", version="1", published_on=DAY
    )
    own_policy(
        "transfers = []",
        'transfers = [{ country = "Canada", recipient = "Example Hosting Ltd.", '
        'safeguard = "adequacy" }]',
    )
    text = statement_render(language="en", version="1", published_on=DAY)
    assert "Example Hosting Ltd. in Canada, protected by an adequacy decision" in text


@pytest.mark.req("R8.1", "R8.3")
def test_publishing_stores_the_text_rendered_in_every_language(
    published: StatementVersion,
) -> None:
    for language in LANGUAGES:
        assert statement_text(published, language) == statement_render(
            language=language, version="1.0", published_on=DAY
        )
    event = AuditEvent.objects.get(action="statement.publish")
    assert event.detail == {"version": "1.0", "published_on": "2026-03-01"}


def test_a_published_version_never_changes(
    actor: Actor, published: StatementVersion, own_policy: Any
) -> None:
    before = {lang: statement_text(published, lang) for lang in LANGUAGES}

    with pytest.raises(ValidationError) as refused:
        statement_publish(
            actor=actor,
            version="1.0",
            published_on=DAY,
            changes=CHANGES,
            bodies={"nl": "x", "fr": "x", "en": "x"},
        )
    assert "never change" in str(refused.value.message_dict["version"])
    # the policy changes: the stored text stays what people were shown
    own_policy('name = "Candor Demo Agency BV"', 'name = "Elders Werving NV"')
    published.refresh_from_db()
    assert {lang: statement_text(published, lang) for lang in LANGUAGES} == before
    # the new text is a new version
    second = statement_publish(
        actor=actor, version="1.1", published_on=DAY + dt.timedelta(days=1), changes=CHANGES
    )
    assert "Elders Werving NV" in second.body_nl
    assert second.changes_fr == "Nouveau délai."


def test_a_later_version_says_what_changed_in_every_language_and_is_not_backdated(
    actor: Actor, published: StatementVersion
) -> None:
    with pytest.raises(ValidationError) as refused:
        statement_publish(
            actor=actor,
            version="2.0",
            published_on=DAY - dt.timedelta(days=1),
            changes={"nl": "Iets.", "fr": "", "en": " "},
        )
    assert set(refused.value.message_dict) == {"published_on", "changes_fr", "changes_en"}
    assert StatementVersion.objects.count() == 1


@pytest.mark.parametrize("label", ["", " ", "version one", "-1", "x" * 21, "1/2"])
def test_a_version_label_is_short_and_plain(actor: Actor, label: str) -> None:
    with pytest.raises(ValidationError) as refused:
        statement_publish(actor=actor, version=label, published_on=DAY)
    assert "version" in refused.value.message_dict


def test_given_bodies_are_stored_as_given_and_none_may_be_empty(actor: Actor) -> None:
    with pytest.raises(ValidationError) as refused:
        statement_publish(
            actor=actor, version="1", published_on=DAY, bodies={"nl": "Tekst", "fr": "Texte"}
        )
    assert set(refused.value.message_dict) == {"body_en"}

    given = {"nl": "# Tekst\n", "fr": "# Texte\n", "en": "# Text\n"}
    version = statement_publish(actor=actor, version="1", published_on=DAY, bodies=given)
    assert (version.body_nl, version.body_fr, version.body_en) == (
        "# Tekst\n",
        "# Texte\n",
        "# Text\n",
    )


def test_the_current_version_is_the_latest_in_force(actor: Actor) -> None:
    assert statement_current(on=DAY) is None
    first = statement_publish(actor=actor, version="1", published_on=DAY)
    upcoming = statement_publish(
        actor=actor, version="2", published_on=DAY + dt.timedelta(days=30), changes=CHANGES
    )

    assert statement_current(on=DAY) == first
    assert statement_current(on=DAY + dt.timedelta(days=29)) == first
    assert statement_current(on=DAY + dt.timedelta(days=30)) == upcoming


def test_the_text_is_read_back_as_blocks_never_as_html() -> None:
    blocks = statement_blocks(
        "# Title\n\nIntro <b>bold</b>\n- one\n- two\n\n## Heading\n\n- a\n- b\n"
    )

    assert [b.kind for b in blocks] == ["title", "paragraph", "list", "heading", "list"]
    assert blocks[1].text == "Intro <b>bold</b>"  # escaped by the template that shows it
    assert blocks[2].items == ["one", "two"]


def test_a_receipt_is_recorded_once_per_kind(actor: Actor, published: StatementVersion) -> None:
    (person,) = make_candidates(actor, 1)

    shown = statement_receipt_record(
        person=person, version=published, kind=ReceiptKind.SHOWN, channel=Via.PORTAL
    )
    again = statement_receipt_record(
        person=person, version=published, kind=ReceiptKind.SHOWN, channel=Via.EMAIL
    )
    accepted = statement_receipt_record(
        person=person, version=published, kind=ReceiptKind.ACCEPTED, channel=Via.PORTAL
    )

    assert again == shown
    assert accepted != shown
    assert StatementReceipt.objects.filter(person=person).count() == 2
    events = AuditEvent.objects.filter(
        action__startswith="statement.", subject=str(person.pseudonym)
    )
    assert sorted(e.action for e in events) == ["statement.accepted", "statement.shown"]


def test_a_receipt_needs_a_known_kind_and_channel(
    actor: Actor, published: StatementVersion
) -> None:
    (person,) = make_candidates(actor, 1)
    with pytest.raises(ValidationError, match="kind"):
        statement_receipt_record(person=person, version=published, kind="read", channel="portal")
    with pytest.raises(ValidationError, match="channel"):
        statement_receipt_record(person=person, version=published, kind="shown", channel="pigeon")


def test_people_without_the_latest_version(actor: Actor, published: StatementVersion) -> None:
    shown, accepted, nothing, erased = make_candidates(actor, 4)
    Person.objects.filter(pk=erased.pk).update(erased_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    statement_receipt_record(person=shown, version=published, kind="shown", channel="portal")
    statement_receipt_record(person=accepted, version=published, kind="accepted", channel="portal")

    unseen = set(people_without_latest(version=published))
    not_accepted = set(people_without_latest(kind="accepted", version=published))

    assert unseen == {nothing}
    assert not_accepted == {shown, nothing}
    assert set(people_without_latest(version=published, role="client_contact")) == set()


def test_a_new_version_puts_everyone_back_on_the_list(
    actor: Actor, published: StatementVersion
) -> None:
    people = make_candidates(actor, 2)
    for person in people:
        statement_receipt_record(person=person, version=published, kind="sent", channel="email")
    assert list(people_without_latest(version=published)) == []

    newer = statement_publish(
        actor=actor, version="2", published_on=DAY + dt.timedelta(days=1), changes=CHANGES
    )
    assert set(people_without_latest(version=newer)) == set(people)


def test_people_without_latest_is_one_not_exists_query(
    actor: Actor, published: StatementVersion, django_assert_num_queries: Any
) -> None:
    make_candidates(actor, 3)
    query = people_without_latest(version=published)

    assert "NOT EXISTS" in str(query.query).upper()
    with django_assert_num_queries(1):
        assert len(list(query[:2])) == 2


def test_a_version_published_meanwhile_by_someone_else_is_refused(
    actor: Actor, published: StatementVersion, monkeypatch: Any
) -> None:
    # the check passed, then another publication of the same label committed first
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    with pytest.raises(ValidationError, match="already published"):
        statement_publish(actor=actor, version="1.0", published_on=DAY, changes=CHANGES)


def test_an_unknown_role_is_refused(published: StatementVersion) -> None:
    with pytest.raises(ValueError, match="role must be one of"):
        people_without_latest(version=published, role="visitor")


def test_without_any_version_nobody_is_listed(actor: Actor) -> None:
    make_candidates(actor, 1)

    assert list(people_without_latest()) == []
    with pytest.raises(ValueError, match="kind"):
        people_without_latest(kind="liked")


def test_the_receipts_have_an_index_on_version_and_person() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, StatementReceipt._meta.db_table
        )
    columns = [c["columns"] for c in constraints.values() if c["index"]]
    assert ["version_id", "person_id"] in columns


def test_the_demo_publishes_a_first_version_once() -> None:
    first = demo_statement()
    assert first is not None
    assert first.version == "1.0"
    assert demo_statement() is None
    assert StatementVersion.objects.count() == 1


def test_the_command_publishes_and_shows() -> None:
    out = io.StringIO()
    call_command("statement", "publish", "--version", "1.0", "--date", "2026-03-01", stdout=out)
    assert "published version 1.0" in out.getvalue()

    with pytest.raises(CommandError, match="changes_nl"):
        call_command("statement", "publish", "--version", "1.1", "--date", "2026-04-01")
    call_command(
        "statement",
        "publish",
        "--version=1.1",
        "--date=2026-04-01",
        "--changes-nl=Nieuw.",
        "--changes-fr=Nouveau.",
        "--changes-en=New.",
        stdout=io.StringIO(),
    )

    shown = io.StringIO()
    call_command("statement", "show", "--language", "fr", "--version", "1.0", stdout=shown)
    assert shown.getvalue().startswith("# Déclaration de confidentialité")
    assert "Version 1.0" in shown.getvalue()


def test_the_command_explains_what_is_missing() -> None:
    with pytest.raises(CommandError, match="no version is in force"):
        call_command("statement", "show")
    with pytest.raises(CommandError, match="not a date"):
        call_command("statement", "publish", "--version", "1", "--date", "1 maart")
    with pytest.raises(CommandError, match="no published version"):
        call_command("statement", "show", "--version", "9")
