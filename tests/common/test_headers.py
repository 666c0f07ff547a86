"""Headers: a signed-in user's pages and exports are never stored by a cache; static files are; every
response denies the browser features the app does not use (partyreview/common/middleware.py)."""

from django.templatetags.static import static
from django.test import Client

from partyreview.common.middleware import PERMISSIONS_POLICY


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signed_in_pages_and_exports_are_not_stored(world):
    alice = _signed_in(world.alice)
    for url in ("/rectifications/", "/office/register.xlsx", "/dashboard/", "/dashboard/export.xlsx"):
        response = alice.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url


def test_static_files_stay_cacheable(world, settings):
    # WhiteNoise serves from the source folders here, as from collectstatic's in production.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = _signed_in(world.alice).get(static("css/app.css"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_every_response_carries_the_permissions_policy(world):
    assert Client().get("/accounts/login/")["Permissions-Policy"] == PERMISSIONS_POLICY
    assert _signed_in(world.sam).get("/rectifications/my-branch/")["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in PERMISSIONS_POLICY and "geolocation=()" in PERMISSIONS_POLICY
