"""The error pages: 400, 403, 404, 500 and a refused CSRF check, in Chinese and in the app's layout.

Django's own are English, and in debug mode its 404 lists every URL. These render templates/<code>.html
(which extend base.html) in every mode. An error page must never fail itself: 400/403/404 try the full
page with the user's menu, and fall back to the plain layout when that fails (the database down, a broken
session); 500 is always the plain layout, without the request, so it runs no query at all.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape

from partyreview.common.params import BadParameter

logger = logging.getLogger(__name__)

DEFAULT_MESSAGES = {
    400: "请求的参数无效，请返回上一页重试。",
    403: "您没有权限执行此操作。",
    404: "您访问的页面不存在，或您无权查看。",
    500: "系统内部错误，已记录，请稍后重试。如问题持续，请联系系统管理员。",
}


BARE_PAGE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>错误 {status}</title></head>'
    '<body><h1>错误 {status}</h1><p>{message}</p><p><a href="/">返回首页</a></p></body></html>'
)


def _render(request: HttpRequest | None, status: int, template: str, message: str) -> HttpResponse:
    context = {"error_status": status, "error_message": message}
    if request is not None:
        try:
            return HttpResponse(loader.render_to_string(template, context, request), status=status)
        except Exception:
            # The menu needs the user and the database; the page must show even when they fail.
            logger.exception("error page %s could not render with the request; showing the plain one", status)
    try:
        return HttpResponse(loader.render_to_string(template, context), status=status)
    except Exception:
        # Even the layout failed (a static file missing from collectstatic's manifest, a broken template):
        # a page with no template at all, still in Chinese.
        logger.exception("error page %s could not render; showing the bare one", status)
        return HttpResponse(BARE_PAGE.format(status=status, message=escape(message)), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A BadParameter's message says which parameter; any other 400 reason is internal English.
    message = exception.message if isinstance(exception, BadParameter) else DEFAULT_MESSAGES[400]
    return _render(request, 400, "400.html", message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, "403.html", DEFAULT_MESSAGES[403])


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, "404.html", DEFAULT_MESSAGES[404])


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(None, 500, "500.html", DEFAULT_MESSAGES[500])


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open past the session, or cookies blocked."""
    logger.warning("CSRF check failed on %s: %s", request.path, reason)
    return _render(None, 403, "403_csrf.html", "页面已过期或浏览器未保存 Cookie，请刷新页面后重新提交。")
