"""Sign-in against the intranet directory (LDAP / Active Directory), when LDAP_ENABLED is on.

django-auth-ldap checks the password against the directory; this module adds the house rules on top:
the directory never creates an account (``AUTH_LDAP_NO_NEW_USERS`` in settings) and never lets a
deactivated account back in. Both are refused exactly like a wrong password — the backend answers
``None`` — so the login page cannot tell "not known here", "left" and "wrong password" apart, and
django-axes counts every one of them towards the lockout.
"""

from django.http import HttpRequest
from django_auth_ldap.backend import LDAPBackend

from partyreview.accounts.models import User


class DirectoryBackend(LDAPBackend):
    """目录登录：口令由 LDAP 核验，账号与范围仍由本系统的任职决定。"""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        # People who left are deactivated by the people import; the directory may still know them.
        if user is None or not user.is_active:
            return None
        return user
