"""Template helpers of the public site: who the controller is (R8.3), the cookie choice, and
vacancy texts shown as paragraphs and lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import template

from candor.privacy.policy import Party, policy
from candor.web import cookies

register = template.Library()


@register.simple_tag
def controller() -> Party:
    return policy().controller


@register.simple_tag(takes_context=True)
def cookie_choice(context: dict[str, Any]) -> str:
    request = context.get("request")
    return cookies.choice(request) if request is not None else ""


@dataclass(frozen=True)
class Block:
    kind: str  # "paragraph" | "heading" | "list"
    text: str = ""
    items: tuple[str, ...] = ()


@register.filter
def text_blocks(text: str) -> list[Block]:
    """A vacancy text as blocks the template renders with escaping (never as HTML): paragraphs
    separated by blank lines, lines starting with "- " as a list, and a single line right
    before a list as its heading."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        items = tuple(line[2:].strip() for line in lines if line.startswith("- "))
        prose = [line for line in lines if not line.startswith("- ")]
        if items and len(prose) == 1 and lines[0] == prose[0]:
            blocks += [Block("heading", prose[0]), Block("list", items=items)]
        elif items and not prose:
            blocks.append(Block("list", items=items))
        elif lines:
            blocks.append(Block("paragraph", " ".join(line.removeprefix("- ") for line in lines)))
    return blocks


@register.filter
def summary(text: str) -> str:
    """The first paragraph of a vacancy text (what a list of vacancies shows)."""
    first = next((b for b in text_blocks(text) if b.kind == "paragraph"), None)
    return first.text if first else ""
