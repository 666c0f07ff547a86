"""Login protection: lockout after repeated failures, strong passwords, idle sessions end, and a password
change signs the account out everywhere else."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from tests.conftest import PASSWORD


def _attempt(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_five_failures_lock_the_account_with_a_chinese_message_even_for_the_right_password(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, "sam", "wrong-password").status_code == 200
    assert _attempt(client, "sam", "wrong-password").status_code == 429, "the last allowed failure locks"
    locked = _attempt(client, "sam", PASSWORD)
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_and_success_resets_the_count(world, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "sam", "wrong-password")
    ok = _attempt(client, "sam", PASSWORD)
    assert ok.status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "sam", "wrong-password")
    assert _attempt(client, "sam", PASSWORD).status_code == 302


@pytest.mark.parametrize("weak", ["12345678901", "password123", "sam", "abc"])
def test_weak_passwords_are_refused_in_chinese(world, weak):
    with pytest.raises(ValidationError) as refused:
        validate_password(weak, user=world.sam)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(refused.value.messages))


def test_sessions_end_after_the_configured_idle_time_and_each_request_renews_it(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_changing_the_password_signs_out_every_other_session(world):
    phone, desktop = Client(), Client()
    for device in (phone, desktop):
        assert _attempt(device, "sam", PASSWORD).status_code == 302
    response = desktop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Xin-Mima-2026-Qiang", "new_password2": "Xin-Mima-2026-Qiang"},
    )
    assert response.status_code == 302
    assert desktop.get("/accounts/notifications/").status_code == 200, "the session that changed it stays in"
    stale = phone.get("/accounts/notifications/")
    assert stale.status_code == 302 and "/accounts/login/" in stale["Location"]
