"""The e-mails a site account receives (R1.4, R3.3): text and HTML, in the person's language.

Each message is three templates under ``templates/selfservice/email/``: ``<name>_subject.txt``,
``<name>.txt`` and ``<name>.html``, sent by ``candor.privacy.mailer``. Add a message by adding
its three templates.
"""

from __future__ import annotations

from typing import Any

from candor.privacy.mailer import language_or_default, send_templated

__all__ = ["language_or_default", "send"]


def send(*, name: str, language: str, to: str, context: dict[str, Any]) -> None:
    """Render and send the message ``name`` to ``to`` in ``language``."""
    send_templated(template=f"selfservice/email/{name}", language=language, to=to, context=context)
