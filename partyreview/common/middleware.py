"""Response headers every page gets (docs/security.md).

- ``Cache-Control: no-store`` (with Django's never-cache set) on every response to a signed-in user:
  pages and exports hold the committee's findings, and a shared office computer's browser cache, or a
  proxy's, must not keep them after the user signs out. Static files never reach this middleware
  (WhiteNoise answers them first), so they stay cacheable.
- ``Permissions-Policy``: the app uses no camera, microphone, location, payment or sensors; denying
  them means an injected script could not either.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), browsing-topics=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
