"""Sign-in against the intranet directory, through a real slapd on loopback.

Sam has an account here and a directory password; Dora has an account that was deactivated when she
left; Olga is in the directory but was never given an account; "ghost" is in neither.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import Client

from partyreview.accounts.models import User
from tests.accounts.conftest import DIRECTORY_PEOPLE
from tests.conftest import PASSWORD
from tests.factories import UserFactory

DIRECTORY_PASSWORD = {p.uid: p.password for p in DIRECTORY_PEOPLE}
ROOT = Path(__file__).resolve().parents[2]


def _attempt(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


def _refusal(response) -> str:
    """The error text the login page shows, without the per-request CSRF token."""
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_person_signs_in_with_the_directory_password_to_the_account_of_the_same_login(world, directory, client):
    response = _attempt(client, "sam", DIRECTORY_PASSWORD["sam"])
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == world.sam.pk
    assert client.session["_auth_user_backend"] == "partyreview.accounts.directory.DirectoryBackend"


def test_the_login_is_matched_whatever_its_case(world, directory, client):
    assert _attempt(client, "SAM", DIRECTORY_PASSWORD["sam"]).status_code == 302
    assert int(client.session["_auth_user_id"]) == world.sam.pk


def test_a_wrong_password_and_an_unknown_user_are_refused_the_same_way(world, directory):
    UserFactory(username="dora", is_active=False)
    wrong = _attempt(Client(), "sam", "Not-The-Password-1")
    directory_only = _attempt(Client(), "olga", DIRECTORY_PASSWORD["olga"])
    nowhere = _attempt(Client(), "ghost", "Whatever-2026")
    left = _attempt(Client(), "dora", DIRECTORY_PASSWORD["dora"])
    assert [r.status_code for r in (wrong, directory_only, nowhere, left)] == [200, 200, 200, 200]
    assert "请输入一个正确的" in wrong.content.decode(), "the page says why, in Chinese"
    assert _refusal(directory_only).replace("olga", "sam") == _refusal(wrong)
    assert _refusal(nowhere).replace("ghost", "sam") == _refusal(wrong)
    assert _refusal(left).replace("dora", "sam") == _refusal(wrong)


def test_a_directory_user_without_an_account_gets_none(world, directory, client):
    _attempt(client, "olga", DIRECTORY_PASSWORD["olga"])
    assert not User.objects.filter(username__iexact="olga").exists()
    assert "_auth_user_id" not in client.session


def test_the_lockout_counts_directory_failures_and_then_refuses_the_right_password(world, directory, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _attempt(client, "sam", "Not-The-Password-1")
    locked = _attempt(client, "sam", DIRECTORY_PASSWORD["sam"])
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_local_password_still_works_beside_the_directory(world, directory, client):
    assert _attempt(client, "sam", PASSWORD).status_code == 302
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"


def test_the_directory_is_off_unless_the_environment_switches_it_on(settings):
    assert "partyreview.accounts.directory.DirectoryBackend" not in settings.AUTHENTICATION_BACKENDS


def _settings_with(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LDAP_")}
    env.update({"DJANGO_SETTINGS_MODULE": "partyreview.settings.base", "DJANGO_SECRET_KEY": "x" * 50, **extra})
    code = (
        "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS[1]);"
        " print(settings.AUTH_LDAP_USER_SEARCH.filterstr)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )


def test_the_environment_configures_the_directory():
    done = _settings_with(
        LDAP_ENABLED="true",
        LDAP_SERVER_URI="ldap://directory.intranet/",
        LDAP_USER_SEARCH_BASE="ou=people,dc=example,dc=org",
        LDAP_USER_FILTER="(sAMAccountName=%(user)s)",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["partyreview.accounts.directory.DirectoryBackend", "(sAMAccountName=%(user)s)"]


def test_switching_the_directory_on_without_a_server_stops_with_one_readable_line():
    done = _settings_with(LDAP_ENABLED="true")
    assert done.returncode == 2
    assert "LDAP_SERVER_URI" in done.stderr and "Traceback" not in done.stderr
