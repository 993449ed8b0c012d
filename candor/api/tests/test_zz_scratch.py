import json
import pytest

def test_probe(consultant, dpo, api_client, client):
    c = api_client(consultant)
    d = api_client(dpo)
    r = c.post("/api/v1/candidates", {"first_name": "Jan", "last_name": "Peeters", "emails": ["jan@example.com"], "source": "medium:LinkedIn", "bogus": 1}, content_type="application/json")
    print(r.status_code, r.content[:600])
    r = c.post("/api/v1/candidates", {"first_name": "Jan", "last_name": "Peeters", "emails": ["jan@example.com"]}, content_type="application/json")
    print(r.status_code, r.content[:600])
    r = d.post("/api/v1/candidates", {}, content_type="application/json")
    print("dpo empty", r.status_code, r.content[:600])
    r = c.post("/api/v1/candidates", {"first_name": "Jan", "last_name": "", "emails": ["nope"], "phones": ["12"], "birth_date": "2099-01-01"}, content_type="application/json")
    print(r.status_code, r.content[:600])
    r = c.post("/api/v1/candidates", {"first_name": 5, "last_name": ["x"]}, content_type="application/json")
    print(r.status_code, r.content[:600])
    r = c.post("/api/v1/candidates", "not json", content_type="application/json")
    print(r.status_code, r.content[:600])
    r = client.get("/api/v1/openapi.json")
    print(r.status_code, list(json.loads(r.content)["paths"]))
    r = client.get("/api/v1/docs")
    print(r.status_code)
    r = c.get("/api/v1/nothing")
    print(r.status_code, r.content[:300])
    r = c.get("/api/v1/candidates/99999")
    print(r.status_code, r.content[:300])
    r = c.post("/api/v1/applications/99999/move", {"stage": "screening"}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = c.patch("/api/v1/persons/1", {"first_name": None}, content_type="application/json")
    print(r.status_code, r.content[:300])
    r = c.post("/api/v1/clients", {"kind": "client", "name": "Acme", "vat_number": "BE0123456789", "iban": "BE00 1234"}, content_type="application/json")
    print(r.status_code, r.content[:600])
    r = c.get("/api/v1/candidates?limit=abc")
    print(r.status_code, r.content[:600])
    from django.urls import get_resolver
    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p
    for route, p in walk(get_resolver().url_patterns):
        print(route, getattr(p, "name", None), p.callback)
    assert 0
