"""A ``beacon`` fixture: what the browser's script sends, from a given address and browser."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

HIT = "/public/stats/hit/"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE = CHROME + " Edg/126.0.0.0"

Beacon = Callable[..., Any]


@pytest.fixture
def beacon(db: Any) -> Beacon:
    def send(
        page: str = "/public/",
        *,
        referrer: str = "",
        screen: str = "large",
        address: str = "192.0.2.10",
        agent: str = FIREFOX,
        client: Client | None = None,
        body: Any = None,
        **headers: str,
    ) -> Any:
        payload = {"page": page, "referrer": referrer, "screen": screen} if body is None else body
        return (client or Client()).post(
            HIT,
            data=payload if isinstance(payload, (str, bytes)) else json.dumps(payload),
            content_type="text/plain;charset=UTF-8",
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=agent,
            **headers,
        )

    return send
