"""Template helpers of the public site: who the controller is (R8.3), the cookie choice."""

from __future__ import annotations

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
