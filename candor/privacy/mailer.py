"""Transactional mail to a person: three templates (subject, text, HTML) rendered in the person's
language, sent from the agency's privacy address with the controller as the reply-to.

A message is ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html``; every
template gets ``controller``, ``dpo`` and ``language`` besides its own context.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from candor.privacy.policy import LANGUAGES, mail_sender, policy


def language_or_default(language: str) -> str:
    return language if language in LANGUAGES else "nl"


def send_templated(*, template: str, language: str, to: str, context: dict[str, Any]) -> None:
    """Render the message ``template`` in ``language`` and send it to ``to``."""
    language = language_or_default(language)
    rules = policy()
    full = {"controller": rules.controller, "dpo": rules.dpo, "language": language, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", full)
        text = render_to_string(f"{template}.txt", full)
        html = render_to_string(f"{template}.html", full)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=mail_sender(),
        to=[to],
        reply_to=[rules.controller.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
