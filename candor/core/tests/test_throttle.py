import pytest
from django.core.cache import cache

from candor.core.throttle import Throttle


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_a_key_is_let_through_up_to_its_limit_then_held():
    login = Throttle("test-login", limit=3, window=60)
    assert [login.hit("198.51.100.7") for _ in range(5)] == [True, True, True, False, False]
    assert login.blocked("198.51.100.7")


def test_keys_and_scopes_count_apart():
    login = Throttle("test-login", limit=1, window=60)
    apply = Throttle("test-apply", limit=1, window=60)
    assert login.hit("198.51.100.7")
    assert not login.hit("198.51.100.7")
    assert login.hit("198.51.100.8")
    assert apply.hit("198.51.100.7")


def test_the_cache_holds_no_address_in_clear():
    login = Throttle("test-login", limit=1, window=60)
    login.hit("198.51.100.7")
    keys = list(cache._cache.keys())  # type: ignore[attr-defined]
    assert keys
    assert not any("198.51.100.7" in key for key in keys)


def test_reset_clears_the_count():
    login = Throttle("test-login", limit=1, window=60)
    login.hit("alice")
    login.hit("alice")
    login.reset("alice")
    assert not login.blocked("alice")
    assert login.hit("alice")
