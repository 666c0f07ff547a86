"""Login lockout that nobody can turn against someone else (django-axes, docs/security.md).

Two rules, both counted in the database so every web process sees the same numbers:

- per (user name, client address): ``AXES_FAILURE_LIMIT`` wrong passwords lock that user *from that
  address* for ``AXES_COOLOFF_TIME``. The same user elsewhere still signs in, so a colleague typing a
  name wrongly (or an attacker) cannot lock anyone out of their own desk;
- per client address, across user names: ``LOGIN_ADDRESS_FAILURE_LIMIT`` (higher) failures from one
  address refuse every login from it for the same time. Password spraying (one common password tried on
  every account) stops there.

Behind the reverse proxy of docs/deployment.md every request arrives from the proxy's address, so the
client's is read from ``X-Forwarded-For`` — but only when the request comes from a proxy listed in
``TRUSTED_PROXIES``, and only the entries those proxies appended (right to left, skipping trusted hops).
A header sent by anyone else is ignored: it could name any address.
"""

import datetime
import ipaddress
from collections.abc import Iterable

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """The TRUSTED_PROXIES setting as networks ("10.0.0.5", "10.0.0.0/24", "::1")."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: list[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the person at the keyboard, as far as trusted hops can tell (AXES_CLIENT_IP_CALLABLE)."""
    networks = trusted_networks(settings.TRUSTED_PROXIES)
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    if not _is_trusted(remote, networks):
        return str(remote)
    # Each trusted proxy appended the address it received the request from. Walk back from the last
    # entry: the first address that is not one of our proxies is the client. Anything to its left was
    # written by the client and proves nothing.
    hops = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = remote
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, networks):
            break
    return str(client)


def address_failures(ip_address: str) -> int:
    """Failed logins from one address across every user name within the cool-off time."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return total or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus the per-address limit against password spraying."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(self, sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        # The failure that reaches the address's limit answers with the lockout page at once, as the one
        # that reaches a user's limit does (AxesMiddleware reads this flag).
        if request is not None and not getattr(request, "axes_locked_out", False) and self._address_locked(request):
            request.axes_locked_out = True

    def _address_locked(self, request: HttpRequest) -> bool:
        ip_address = getattr(request, "axes_ip_address", None) or client_address(request)
        return bool(ip_address) and address_failures(ip_address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
