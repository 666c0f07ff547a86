"""staff pages (to be built)."""

from django.http import Http404, HttpRequest, HttpResponse


def rectification_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def review_queue(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def rectification_update(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def rectification_close(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def rectification_return(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def rectification_reopen(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404


def extension_decide(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    raise Http404
