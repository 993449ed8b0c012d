"""The collection endpoint the beacon posts to: ``POST /public/stats/hit/`` (R1.5).

It answers 204 and sets no cookie. It is exempt from CSRF protection because it carries no
authority: it acts for nobody, reads and changes nothing of anyone's, and its worst misuse — a
forged view — only moves a count; a request from another site's page is still refused by its
``Origin``. A visitor who asks not to be tracked (``DNT: 1``, ``Sec-GPC: 1``) and automated
clients are answered 204 and not counted.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from candor.core.throttle import Throttle, client_address
from candor.stats.collect import Rejected, View, is_bot, view_of
from candor.stats.services import page_view_record

MAX_BODY = 4096
# A person reading the site opens a page every few seconds at most; more is a script.
THROTTLE = Throttle("stats.hit", limit=60, window=60)


def _no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def _refuse(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def opted_out(request: HttpRequest) -> bool:
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def _view_of(request: HttpRequest, *, user_agent: str, host: str) -> View:
    if len(request.body) > MAX_BODY:
        raise Rejected(f"the body is larger than {MAX_BODY} bytes")
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise Rejected("the body must be JSON: {page, referrer, screen}") from None
    return view_of(payload, user_agent=user_agent, own_host=host)


@csrf_exempt
@require_POST
def hit(request: HttpRequest) -> HttpResponse:
    user_agent = request.headers.get("User-Agent", "")
    if opted_out(request) or is_bot(user_agent):
        return _no_content()
    host, _port = split_domain_port(request.get_host())
    origin = request.headers.get("Origin")
    if origin is not None and split_domain_port(origin.partition("://")[2])[0] != host:
        return _refuse(403, "page views are counted only from this site's own pages")
    address = client_address(request)
    if not THROTTLE.hit(address):
        return _refuse(429, "too many page views from one address; try again in a minute")
    try:
        view = _view_of(request, user_agent=user_agent, host=host)
    except Rejected as refused:
        return _refuse(400, str(refused))
    page_view_record(view=view, address=address, user_agent=user_agent, host=host)
    return _no_content()
