"""branch pages (to be built)."""

from django.http import Http404, HttpRequest, HttpResponse


def my_branch(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def progress_create(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def rectification_submit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def extension_request(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def evidence_download(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404
