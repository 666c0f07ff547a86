import pytest

from tests.accounts import slapd

# Who the directory knows. Sam and the deactivated Dora have accounts here too; Olga is in the directory only.
DIRECTORY_PEOPLE = [
    slapd.DirectoryPerson(uid="sam", password="Sam-Directory-2026"),
    slapd.DirectoryPerson(uid="dora", password="Dora-Directory-2026"),
    slapd.DirectoryPerson(uid="olga", password="Olga-Directory-2026"),
]


@pytest.fixture(scope="session")
def directory_server():
    """One real slapd for the whole run, on a free loopback port; stopped and its files removed after."""
    if not slapd.available():
        pytest.fail("slapd is not installed: scripts/test.sh installs the slapd and ldap-utils packages")
    server = slapd.start(DIRECTORY_PEOPLE)
    yield server
    server.stop()


@pytest.fixture
def directory(settings, directory_server):
    """Directory sign-in switched on against the test slapd, as LDAP_ENABLED=true would configure it."""
    import ldap
    from django_auth_ldap.config import LDAPSearch

    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "partyreview.accounts.directory.DirectoryBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    settings.AUTH_LDAP_SERVER_URI = directory_server.uri
    settings.AUTH_LDAP_BIND_DN = slapd.ADMIN_DN
    settings.AUTH_LDAP_BIND_PASSWORD = slapd.ADMIN_PASSWORD
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(directory_server.people_base, ldap.SCOPE_SUBTREE, "(uid=%(user)s)")
    settings.AUTH_LDAP_NO_NEW_USERS = True
    settings.AUTH_LDAP_USER_ATTR_MAP = {}
    return directory_server
