"""The project's URLs plus views that fail on purpose, for tests/common/test_error_pages.py."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from partyreview.common import params
from partyreview.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an internal English message")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("internal English reason")


def needs_an_id(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(params.require_id(request.GET, "inspection", label="检查")))


urlpatterns = [
    *urlpatterns,
    path("test-errors/boom/", boom),
    path("test-errors/forbidden/", forbidden),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/needs-an-id/", needs_an_id),
]
