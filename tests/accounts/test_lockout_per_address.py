"""Nobody can lock anyone else out: failures count per (user, address), the address comes from the trusted
proxy only, and one address trying many accounts (password spraying) is throttled across user names.

Sam is the victim, at his desk behind the proxy (10.8.0.3); Mallory types wrong passwords for him from
10.8.0.66. The reverse proxy is 10.0.0.1."""

import pytest
from django.test import Client, RequestFactory

from partyreview.accounts.lockout import client_address
from tests.conftest import PASSWORD

PROXY = "10.0.0.1"


def _login(username: str, password: str, **meta: str):
    return Client().post("/accounts/login/", {"username": username, "password": password}, **meta)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    return settings


def _via_proxy(client_ip: str, forwarded_by_client: str = "") -> dict[str, str]:
    # The proxy appends the address it received the request from to whatever the client sent.
    chain = f"{forwarded_by_client}, {client_ip}" if forwarded_by_client else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


def test_failures_from_one_desk_do_not_lock_the_same_user_at_another(world, behind_proxy):
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        _login("sam", "wrong-password", **_via_proxy("10.8.0.66"))
    assert _login("sam", PASSWORD, **_via_proxy("10.8.0.66")).status_code == 429
    assert _login("sam", PASSWORD, **_via_proxy("10.8.0.3")).status_code == 302


def test_a_client_cannot_escape_the_count_by_forging_x_forwarded_for_behind_the_proxy(world, behind_proxy):
    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        _login("sam", "wrong-password", **_via_proxy("10.8.0.66", forwarded_by_client=f"192.0.2.{n}"))
    assert _login("sam", PASSWORD, **_via_proxy("10.8.0.66", forwarded_by_client="192.0.2.200")).status_code == 429


def test_x_forwarded_for_from_a_client_that_is_not_a_trusted_proxy_is_ignored(world, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login("sam", "wrong-password", REMOTE_ADDR="10.8.0.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    forged = _login("sam", PASSWORD, REMOTE_ADDR="10.8.0.66", HTTP_X_FORWARDED_FOR="10.8.0.3")
    assert forged.status_code == 429
    # Mallory cannot lock Sam's desk by naming its address either: her failures were counted as hers.
    assert _login("sam", PASSWORD, REMOTE_ADDR="10.8.0.3").status_code == 302


def test_password_spraying_from_one_address_is_throttled_across_user_names(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    names = ["sam", "sara", "mike", "mona", "alice", "gina", "leo", "lena"]
    # One guess per account: far below the per-user limit; the guess that reaches the address's limit
    # is answered with the lockout page.
    answers = [_login(name, "Spring2026!", REMOTE_ADDR="10.8.0.66").status_code for name in names]
    assert answers == [200] * 7 + [429]
    refused = _login("nobody", PASSWORD, REMOTE_ADDR="10.8.0.66")
    assert refused.status_code == 429
    assert "账号已暂时锁定" in refused.content.decode()
    assert _login("sam", PASSWORD, REMOTE_ADDR="10.8.0.3").status_code == 302


def test_failures_below_the_address_limit_leave_the_address_free(world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for name in ["sam", "sara", "mike"]:
        _login(name, "Spring2026!", REMOTE_ADDR="10.8.0.66")
    assert _login("mona", PASSWORD, REMOTE_ADDR="10.8.0.66").status_code == 302


@pytest.mark.parametrize(
    ("trusted", "meta", "expected"),
    [
        ([], {"REMOTE_ADDR": "10.8.0.66", "HTTP_X_FORWARDED_FOR": "10.8.0.3"}, "10.8.0.66"),
        ([PROXY], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.8.0.3"}, "10.8.0.3"),
        ([PROXY], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.9, 10.8.0.3"}, "10.8.0.3"),
        (["10.0.0.0/24"], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "10.8.0.3, 10.0.0.7"}, "10.8.0.3"),
        ([PROXY], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        ([PROXY], {"REMOTE_ADDR": PROXY}, PROXY),
        ([PROXY], {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "2001:db8::7"}, "2001:db8::7"),
    ],
    ids=["untrusted-sender", "one-proxy", "forged-left", "two-proxies", "garbage", "no-header", "ipv6"],
)
def test_the_client_address_is_what_the_trusted_proxies_saw(settings, trusted, meta, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == expected
