"""The disclosure app's models: the ledger, the processor register, anonymous mailings."""

from candor.disclosure.models.ledger import Channel, Disclosure, RecipientKind
from candor.disclosure.models.mailings import (
    DeliveryStatus,
    Mailing,
    MailingCandidate,
    MailingRecipient,
    MailingStatus,
)
from candor.disclosure.models.processors import (
    EEA,
    AgreementStatus,
    ProcessingAgreement,
    Processor,
    ProcessorKind,
    ProcessorService,
    Safeguard,
)

__all__ = [
    "EEA",
    "AgreementStatus",
    "Channel",
    "DeliveryStatus",
    "Disclosure",
    "Mailing",
    "MailingCandidate",
    "MailingRecipient",
    "MailingStatus",
    "ProcessingAgreement",
    "Processor",
    "ProcessorKind",
    "ProcessorService",
    "RecipientKind",
    "Safeguard",
]
