"""首次登录须修改密码: an account with a one-time password (the people import) can do nothing else
until it sets its own. Enforced here rather than in the login view, so no page, bookmark or ``next``
link gets around it."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

DIRECTORY_BACKEND = "partyreview.accounts.directory.DirectoryBackend"


class InitialPasswordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            # Signed in with the directory's password: the one-time local password is not in use.
            and request.session.get("_auth_user_backend") != DIRECTORY_BACKEND
            and request.path not in self._allowed()
        ):
            messages.warning(request, "这是您第一次登录，请先把初始密码改为您自己的密码。")
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed() -> set[str]:
        return {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
