"""The hasher of one-time initial passwords (the people import).

Argon2id (settings.PASSWORD_HASHERS) costs a quarter of a second a hash, on purpose: it makes guessing a
person's own password expensive. An initial password is not a person's: it is 12 characters drawn at
random from 56 (about 70 bits), which no amount of guessing finds, so stretching adds nothing to it —
and 3,000 of them at a quarter of a second each would make importing a committee take twelve minutes.
They are stored with PBKDF2 at a thousandth of Django's rounds; the first sign-in rewrites the hash as
Argon2 (Django does for any hasher but the first) and must then change the password anyway
(accounts/middleware.py).
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class InitialPasswordHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_initial"
    iterations = 1000
