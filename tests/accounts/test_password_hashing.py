"""Passwords are stored as Argon2id hashes in production; older PBKDF2 hashes still log in and are
rewritten as Argon2 on the way (the tests elsewhere use a fast hasher; these use production's list)."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from partyreview.settings import base
from tests.conftest import PASSWORD


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_a_new_password_is_stored_as_argon2id(world, production_hashers):
    world.sam.set_password("Another-Password-2026")
    world.sam.save()

    assert world.sam.password.startswith("argon2$argon2id$")
    assert world.sam.check_password("Another-Password-2026")
    assert not world.sam.check_password("another-password-2026")


class _CheapPBKDF2(PBKDF2PasswordHasher):
    # A hash as an earlier release wrote it, with fewer rounds so the test is quick; same algorithm name.
    iterations = 1000


def test_an_older_pbkdf2_hash_logs_in_and_is_rewritten_as_argon2(world, client, production_hashers):
    world.sam.password = make_password(PASSWORD, hasher=_CheapPBKDF2())
    world.sam.save(update_fields=["password"])
    assert world.sam.password.startswith("pbkdf2_sha256$")

    response = client.post("/accounts/login/", {"username": "sam", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")

    assert response.status_code == 302
    world.sam.refresh_from_db()
    assert world.sam.password.startswith("argon2$argon2id$")
