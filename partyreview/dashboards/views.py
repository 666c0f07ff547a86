"""(to be built)."""

from django.http import Http404, HttpRequest, HttpResponse


def dashboard_index(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404
