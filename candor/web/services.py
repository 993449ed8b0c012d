"""What a visitor's application does, in one transaction (R1.1, R2.1, R3.3, R8.2, R6.11).

An application is an act of the person themself: the record is stamped with provenance
"the person themselves" through the one intake (``candidates_write``: normalised, matched by
e-mail and phone, indexed for search), the CV is stored as a document, the consents ticked are
recorded with the exact text and version shown, and so is the privacy statement version
accepted. Because the visitor explicitly asks us to process their details (the box they must
tick), a suppression of their own identifiers is lifted the way a self-registration lifts it,
with the acceptance as evidence; staff and imports can never do this.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext

from candor.core import clock
from candor.core.actor import Actor
from candor.core.uploads import Format
from candor.people.models import Channel, DocumentKind, Person, SourceKind
from candor.people.services import ProvenanceSpec, document_add
from candor.privacy.mailer import send_templated
from candor.privacy.models import ReceiptKind, StatementVersion, Via
from candor.privacy.policy import policy
from candor.privacy.services import consent_give
from candor.privacy.statement import statement_receipt_record
from candor.privacy.suppression import suppression_lift_by_self
from candor.recruitment.intake import REJECTED, candidates_write
from candor.recruitment.models import Application, Vacancy
from candor.recruitment.records import CandidateRecord, RecordInvalid, clean_candidate
from candor.recruitment.services import application_create

VISITOR = Actor(ref="self:web", role="visitor")


@dataclass(frozen=True)
class Applicant:
    first_name: str
    last_name: str
    email: str
    phone: str
    motivation: str
    language: str


@dataclass(frozen=True)
class Submitted:
    person: Person
    application: Application
    lifted: int  # suppression entries lifted by this application


def application_submit(
    *,
    vacancy: Vacancy,
    applicant: Applicant,
    cv: UploadedFile,
    cv_format: Format,
    consents: list[str],
    statement: StatementVersion | None,
) -> Submitted:
    """Store a visitor's application; raises ``RecordInvalid`` (field → messages) for details
    the intake refuses. Applying twice for one vacancy adds the new CV and consents to the
    first application (a visitor is never told whether an address applied before)."""
    record = clean_candidate(
        CandidateRecord(
            first_name=applicant.first_name,
            last_name=applicant.last_name,
            emails=[applicant.email],
            phones=[applicant.phone] if applicant.phone.strip() else [],
            preferred_language=applicant.language,
        ),
        today=clock.today(),
    )
    source = ProvenanceSpec(
        kind=SourceKind.SUBJECT,
        channel=Channel.PORTAL,
        reference=f"web application {vacancy.reference}",
    )
    accepted = statement.version if statement else policy().version
    evidence = f"web application {vacancy.reference}; privacy statement {accepted} accepted"
    document = None
    try:
        with source.forgotten_on_rollback(), transaction.atomic():
            lifted = suppression_lift_by_self(
                actor=VISITOR,
                email=record.emails[0],
                phones=record.phones,
                consent_evidence=f"{evidence} at {clock.now().isoformat(timespec='seconds')}",
            )
            outcome = candidates_write(
                actor=VISITOR, source=source, records=[record], on_duplicate="merge"
            )[0]
            if outcome.status == REJECTED or outcome.person_id is None:
                # e.g. the e-mail address is known under another name: staff check such
                # cases by hand; the visitor is told nothing about the other record.
                raise RecordInvalid({"identity": [_unmatched()]})
            person = Person.objects.get(pk=outcome.person_id)
            application = Application.objects.filter(person=person, vacancy=vacancy).first()
            if application is None:
                application = application_create(
                    actor=VISITOR,
                    person=person,
                    vacancy=vacancy,
                    source=source,
                    motivation=applicant.motivation,
                )
            for purpose in consents:
                consent_give(
                    actor=VISITOR,
                    person=person,
                    purpose=purpose,
                    via=Via.FORM,
                    language=applicant.language,
                    evidence=evidence,
                )
            if statement is not None:
                statement_receipt_record(
                    person=person,
                    version=statement,
                    kind=ReceiptKind.ACCEPTED,
                    channel=Via.FORM,
                    actor=VISITOR,
                )
            document = document_add(
                actor=VISITOR,
                person=person,
                kind=DocumentKind.CV,
                upload=cv,
                source=source,
                content_type=cv_format.content_type,
            )
    except BaseException:
        if document is not None:
            document.file.storage.delete(document.file.name or "")
        raise
    return Submitted(person=person, application=application, lifted=lifted)


def _unmatched() -> str:
    return gettext(
        "We could not register your application automatically. Check your name and e-mail "
        "address, or send your application by e-mail to %(email)s."
    ) % {"email": policy().controller.email}


def application_receipt_send(
    *, vacancy: Vacancy, applicant: Applicant, consents: list[str]
) -> None:
    """E-mail the applicant that we received their application (text and HTML, in their
    language), with who we are and how to reach the data protection officer (R8.1, R8.3)."""
    labels = [policy().purpose(key).label.get(applicant.language) for key in consents]
    send_templated(
        template="web/email/receipt",
        language=applicant.language,
        to=applicant.email,
        context={
            "first_name": applicant.first_name,
            "vacancy": vacancy,
            "consents": labels,
            "LANGUAGE_CODE": applicant.language,
        },
    )


def applicant_errors(exc: RecordInvalid | ValidationError) -> dict[str, list[str]]:
    """The intake's messages under the application form's field names."""
    fields = {"email", "phone", "first_name", "last_name", "motivation"}
    renamed = {"mobile": "phone", "emails": "email", "phones": "phone"}
    raw = exc.errors if isinstance(exc, RecordInvalid) else exc.message_dict
    errors: dict[str, list[str]] = {}
    for name, messages in raw.items():
        field = renamed.get(name, name)
        errors.setdefault(field if field in fields else "__all__", []).extend(map(str, messages))
    return errors
