"""Staff pages for inspections and findings (to be built)."""

from django.http import Http404, HttpRequest, HttpResponse


def workbench(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def inspection_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def inspection_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def inspection_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def inspection_update(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def finding_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def finding_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def finding_detail(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def finding_update(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def finding_archive(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404
