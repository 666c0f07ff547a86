"""Import and export pages (to be built)."""

from django.http import Http404, HttpRequest, HttpResponse


def import_start(request: HttpRequest) -> HttpResponse:
    raise Http404
