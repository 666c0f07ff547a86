"""Where a page sends the user back to: a ``next`` the request carries, if it stays on this site."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, default: str = "") -> str:
    """The ``next`` of the form or the query string when it is a path on this site (never another host, a
    ``javascript:`` URL or a scheme change from https), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default
