"""Who may open what (R7.1): every URL of the project × every role, against an explicit table.

The tables below are the decision record. A view or API operation that is not in them makes the
suite fail, so nothing new ships without someone deciding who may use it. They are written out
by hand on purpose, not derived from ``candor.accounts.permissions``: the test compares what the
server does with what we meant.

Site views: anonymous → redirect to the login page (the site accounts' own log-in for the
pages under ``matrix_selfservice.LOGIN``; ``/``: to the public site); a role without access →
403.
API operations: no token → 401; a role without the permission → 403, whatever body it sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from candor.accounts.models import Role
from candor.api.tests.factories import (
    make_application,
    make_candidate,
    make_client,
    make_vacancy,
)
from candor.audit.models import AuditEvent
from candor.people.models import Person
from candor.recruitment.models import Application, ProcedureStep, Vacancy
from candor.relations.models import Organisation
from candor.site.tests import (
    matrix_account,
    matrix_disclosure,
    matrix_governance,
    matrix_inhouse,
    matrix_notices,
    matrix_organisations,
    matrix_portal,
    matrix_privacy,
    matrix_requests,
    matrix_retention,
    matrix_selfservice,
    matrix_statistics,
    matrix_trajectories,
    matrix_vacancies,
    matrix_web,
)
from candor.site.tests.conftest import ANONYMOUS, ROLE_NAMES
from candor.site.tests.matrix_roles import (
    BACK_OFFICE,
    CONSULTANT,
    DOSSIER_READERS,
    EVERYONE,
    REGISTRY_READERS,
    Expectations,
)

AREAS = (
    matrix_vacancies,
    matrix_organisations,
    matrix_trajectories,
    matrix_privacy,
    matrix_notices,
    matrix_retention,
    matrix_governance,
    matrix_disclosure,
    matrix_requests,
    matrix_portal,
    matrix_inhouse,
    matrix_account,
    matrix_statistics,
    matrix_selfservice,
    matrix_web,
)

pytestmark = [pytest.mark.django_db, pytest.mark.req("R7.1")]


# Django URL patterns other than API operations: route → (who may, status the allowed get).
SITE_EXPECTATIONS: Expectations = {
    "": (BACK_OFFICE, 200),  # back-office home: the dashboard
    "candidates/": (DOSSIER_READERS, 200),  # candidate list: search and filters
    "candidates/<int:person_id>/": (DOSSIER_READERS, 200),  # a candidate's dossier
    "candidates/<int:person_id>/history/": (DOSSIER_READERS, 200),  # a dossier's audit trail
    "candidates/new/": (CONSULTANT, 200),  # form: new candidate
    "people/<int:person_id>/edit/": (CONSULTANT, 200),  # form: correct personal details
    "organisations/new/": (CONSULTANT, 200),  # form: new client or supplier
    "registry/": (REGISTRY_READERS, 200),  # the personal-data registry, field by field
    "api/v1/openapi.json": (EVERYONE, 200),  # the API description is public, it holds no data
    "api/v1/docs": (EVERYONE, 200),  # Swagger UI over that description
    "api/v1/": (EVERYONE, 404),  # django-ninja's root: a 404 pointing at the docs
}
for _area in AREAS:  # each back-office area keeps its decisions beside its own tests
    assert not set(_area.SITE) & set(SITE_EXPECTATIONS), _area.__name__
    SITE_EXPECTATIONS.update(_area.SITE)

# API operations (OpenAPI path, method) → roles whose token is accepted.
API_EXPECTATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("/api/v1/candidates", "get"): DOSSIER_READERS,
    ("/api/v1/candidates", "post"): CONSULTANT,
    ("/api/v1/candidates/{person_id}", "get"): DOSSIER_READERS,
    ("/api/v1/persons/{person_id}", "get"): DOSSIER_READERS,
    ("/api/v1/persons/{person_id}", "patch"): CONSULTANT,
    ("/api/v1/clients", "get"): DOSSIER_READERS,
    ("/api/v1/clients", "post"): CONSULTANT,
    ("/api/v1/vacancies", "get"): CONSULTANT,
    ("/api/v1/vacancies", "post"): CONSULTANT,
    ("/api/v1/applications", "get"): CONSULTANT,
    ("/api/v1/applications", "post"): CONSULTANT,
    ("/api/v1/applications/{application_id}/move", "post"): CONSULTANT,
    ("/api/v1/applications/{application_id}/steps", "post"): CONSULTANT,
    **matrix_requests.API,
}

# "Role permissions are the same as in the UI": a screen and the API operation doing the same
# thing are open to the same roles.
SAME_IN_UI_AND_API: dict[str, tuple[str, str]] = {
    "candidates/": ("/api/v1/candidates", "get"),
    "candidates/<int:person_id>/": ("/api/v1/candidates/{person_id}", "get"),
    "candidates/new/": ("/api/v1/candidates", "post"),
    "people/<int:person_id>/edit/": ("/api/v1/persons/{person_id}", "patch"),
    "organisations/new/": ("/api/v1/clients", "post"),
    "privacy/requests/": ("/api/v1/requests", "get"),
    "privacy/requests/new/": ("/api/v1/requests", "post"),
    "privacy/requests/<int:request_id>/": ("/api/v1/requests/{reference}", "get"),
}

# Left out of the matrix, with the reason. The admin is checked separately below.
EXCLUDED_PREFIXES = {
    "django-admin/": "Django admin: superusers only (tested below)",
    "i18n/": "language switch: public by design",
    settings.STATIC_URL.lstrip("/"): "static files (development server only)",
}
EXCLUDED_ROUTES = {"login/": "public by design", "logout/": "public by design"}

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


def _project_routes() -> dict[str, URLPattern]:
    """Every route of the project's URLconf (first pattern wins when one is registered twice)."""
    routes: dict[str, URLPattern] = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        routes.setdefault(route, pattern)
    return routes


def _excluded(route: str) -> bool:
    return route in EXCLUDED_ROUTES or any(route.startswith(p) for p in EXCLUDED_PREFIXES)


def _as_openapi(route: str) -> str:
    return "/" + _PARAM.sub(r"{\1}", route)


def _api_operations(client: Client) -> set[tuple[str, str]]:
    schema = client.get("/api/v1/openapi.json").json()
    return {(path, method) for path, methods in schema["paths"].items() for method in methods}


def _site_routes(client: Client) -> tuple[set[str], set[str]]:
    """(routes for the site matrix, API routes not described by the OpenAPI schema)."""
    api_paths = {path for path, _ in _api_operations(client)}
    site, undescribed = set(), set()
    for route in _project_routes():
        if _excluded(route):
            continue
        if _as_openapi(route) in api_paths:
            continue  # an API operation: covered by the API matrix
        site.add(route)
        if route.startswith("api/") and route not in SITE_EXPECTATIONS:
            undescribed.add(route)
    return site, undescribed


@pytest.fixture
def samples(consultant_actor: Any) -> dict[str, int]:
    """Real objects for every URL parameter, so allowed requests reach real data."""
    person = make_candidate(consultant_actor)
    vacancy = make_vacancy(consultant_actor, make_client(consultant_actor))
    application = make_application(consultant_actor, person, vacancy)
    found = {
        "person_id": person.pk,
        "application_id": application.pk,
        "vacancy_id": vacancy.pk,
        "organisation_id": vacancy.client_id,
    }
    for area in AREAS:
        found.update(area.samples(consultant_actor, found))
    return found


def _login_for(route: str) -> str:
    prefix, login = matrix_selfservice.LOGIN
    return login if route.startswith(prefix) else settings.LOGIN_URL.replace("site:", "")


def _fill(route: str, samples: dict[str, int]) -> str:
    missing = [name for name in _PARAM.findall(route) if name not in samples]
    assert not missing, f"{route}: add a sample value for {missing} to the samples fixture"
    return "/" + _PARAM.sub(lambda m: str(samples[m.group(1)]), route)


def test_every_url_and_api_operation_has_a_decision(client):
    site, _ = _site_routes(client)
    operations = _api_operations(client)

    assert site - set(SITE_EXPECTATIONS) == set(), "views without an entry in SITE_EXPECTATIONS"
    assert operations - set(API_EXPECTATIONS) == set(), "API operations not in API_EXPECTATIONS"
    # And no stale entries that would hide a removed or renamed route.
    assert set(SITE_EXPECTATIONS) - site == set(), "SITE_EXPECTATIONS names unknown routes"
    assert set(API_EXPECTATIONS) - operations == set(), "API_EXPECTATIONS names unknown operations"
    for allowed, _status in SITE_EXPECTATIONS.values():
        assert allowed <= EVERYONE
    for allowed in API_EXPECTATIONS.values():
        assert ANONYMOUS not in allowed  # every API operation needs a token
        assert allowed <= EVERYONE


def test_screens_and_api_operations_doing_the_same_are_open_to_the_same_roles():
    # Both tables are checked against the running server by the matrices below, so equal
    # entries here mean equal behaviour.
    for route, operation in SAME_IN_UI_AND_API.items():
        assert SITE_EXPECTATIONS[route][0] == API_EXPECTATIONS[operation], (route, operation)


def test_the_walk_sees_the_project_urls(client):
    # Guards the walker itself: if it stopped descending into includes, the matrix would pass
    # on an empty list.
    routes = set(_project_routes())
    assert {"", "login/", "candidates/<int:person_id>/", "api/v1/openapi.json"} <= routes
    assert any(r.startswith("django-admin/") for r in routes)
    assert ("/api/v1/persons/{person_id}", "patch") in _api_operations(client)


def test_every_api_route_is_an_operation_or_has_a_decision(client):
    _, undescribed = _site_routes(client)

    assert undescribed == set()


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_site_matrix(role, users_by_role, staff_client, samples):
    client = staff_client(users_by_role[role])
    site_routes, _ = _site_routes(client)
    before = _counts()
    problems = []
    for route in sorted(site_routes):
        if route not in SITE_EXPECTATIONS:
            problems.append(f"/{route}: no decision in SITE_EXPECTATIONS")
            continue
        allowed, ok_status = SITE_EXPECTATIONS[route]
        url = _fill(route, samples)
        if role in allowed:
            status = client.get(url).status_code
            if status != ok_status:
                problems.append(f"GET {url}: {role} should get {ok_status}, got {status}")
            continue
        for method in ("get", "post"):  # refused for reading, and for sending a form too
            response = getattr(client, method)(url, {})
            status, location = response.status_code, response.get("Location", "")
            if role == ANONYMOUS and route in matrix_web.ANONYMOUS_ELSEWHERE:
                if not (status == 302 and location == matrix_web.ANONYMOUS_ELSEWHERE[route]):
                    problems.append(f"{method} {url}: anonymous should go elsewhere, got {status}")
            elif role == ANONYMOUS:
                if not (status == 302 and location.startswith(f"/{_login_for(route)}/?next=")):
                    problems.append(f"{method} {url}: anonymous should log in first, got {status}")
            elif status != 403:
                problems.append(f"{method} {url}: {role} should get 403, got {status}")

    assert problems == []
    after = _counts()
    if role in DOSSIER_READERS | {"site"}:  # opening a dossier (or one's own data) is recorded
        before.pop("AuditEvent"), after.pop("AuditEvent")
    assert after == before


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_api_matrix(role, users_by_role, api_client, samples):
    user = users_by_role[role]
    client = Client() if user is None else api_client(user)
    operations = _api_operations(Client())
    unchanged = _counts()
    problems = []
    for path, method in sorted(operations):
        if (path, method) not in API_EXPECTATIONS:
            problems.append(f"{method.upper()} {path}: no decision in API_EXPECTATIONS")
            continue
        allowed = API_EXPECTATIONS[path, method]
        url = _fill(path.replace("{", "<").replace("}", ">").lstrip("/"), samples)
        kwargs = {"data": {}, "content_type": "application/json"} if method != "get" else {}
        response = getattr(client, method)(url, **kwargs)
        status = response.status_code
        if role in {ANONYMOUS, "inhouse_client", "client", "site"}:
            expected = {401}  # API tokens are for staff integrations; others hold no valid token
        elif role in allowed:
            expected = None
        else:
            expected = {403}
        if expected is None:
            if status in {401, 403} or status >= 500:
                problems.append(f"{method.upper()} {url}: {role} should be allowed, got {status}")
        elif status not in expected:
            problems.append(f"{method.upper()} {url}: {role} should get {expected}, got {status}")
        if 400 <= status < 500 and not response.json().get("detail"):
            problems.append(f"{method.upper()} {url}: {status} without a detail")
        if status == 403 and role != ANONYMOUS:
            assert f"“{users_by_role[role].role}”" in response.json()["detail"]

    assert problems == []
    if not any(role in allowed for allowed in API_EXPECTATIONS.values()):
        # A refused role reads nothing and writes nothing, not even a "view" in the trail.
        assert _counts() == unchanged


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Person, Organisation, Vacancy, Application, ProcedureStep, AuditEvent)
    }


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_the_candidate_list_is_open_to_the_same_roles_in_ui_and_api(
    role, users_by_role, staff_client, api_client, samples
):
    person = Person.objects.get(pk=samples["person_id"])
    user = users_by_role[role]

    ui = staff_client(user).get("/candidates/")
    ui_shows_list = ui.status_code == 200 and person.last_name in ui.content.decode()
    api_status = (
        (Client() if user is None else api_client(user)).get("/api/v1/candidates").status_code
    )
    api_shows_list = api_status == 200

    assert ui_shows_list == api_shows_list == (role in DOSSIER_READERS)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_django_admin_is_for_superusers_only(role, users_by_role, staff_client, make_user):
    client = staff_client(users_by_role[role])
    admin_routes = [r for r in _project_routes() if r.startswith("django-admin/")]
    samples = {"content_type_id": "1", "object_id": "1", "url": "elders/"}
    problems = []
    for route in admin_routes:
        if route in {"django-admin/login/", "django-admin/logout/"}:
            continue
        url = "/" + route
        url = re.sub(r"\(\?P<app_label>[^)]*\)\$?", "auth/", url).replace("$", "")
        url = re.sub(r"\(\?P<url>\.\*\)", "elders/", url)
        url = _PARAM.sub(lambda m: samples[m.group(1)], url)
        response = client.get(url)
        location = response.get("Location", "")
        if not (response.status_code == 302 and location.startswith("/django-admin/login/")):
            problems.append(f"{url}: {role} got {response.status_code} {location}")
    assert problems == []

    # The same page opens for a superuser, so the refusals above are about the role.
    root = make_user("root.beheer", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    assert staff_client(root).get("/django-admin/").status_code == 200


@pytest.mark.urls("candor.site.tests.urls_with_extra_view")
def test_a_view_without_a_decision_is_caught(client):
    site, _ = _site_routes(client)

    assert site - set(SITE_EXPECTATIONS) == {"reports/undecided/"}
