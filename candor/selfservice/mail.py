"""The e-mails a site account receives (R1.4, R3.3): text and HTML, in the person's language.

Each message is three templates under ``templates/selfservice/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``, rendered with the language switched on, so dates and
``{% translate %}`` follow the person. Add a message by adding its three templates.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from candor.privacy.policy import LANGUAGES, mail_sender, policy


def language_or_default(language: str) -> str:
    return language if language in LANGUAGES else "nl"


def send(*, name: str, language: str, to: str, context: dict[str, Any]) -> None:
    """Render and send the message ``name`` to ``to`` in ``language``."""
    language = language_or_default(language)
    rules = policy()
    full = {"controller": rules.controller, "dpo": rules.dpo, "language": language, **context}
    with translation.override(language):
        subject = render_to_string(f"selfservice/email/{name}_subject.txt", full)
        text = render_to_string(f"selfservice/email/{name}.txt", full)
        html = render_to_string(f"selfservice/email/{name}.html", full)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=mail_sender(),
        to=[to],
        reply_to=[rules.controller.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
