"""Error pages are Chinese and in the app's layout, and never fail themselves (partyreview/common/views.py).

Sam (a branch secretary) meets them signed in, an anonymous visitor signed out."""

import pytest
from django.templatetags.static import static
from django.test import Client, RequestFactory

from partyreview.accounts import context_processors
from partyreview.common import views

LAYOUT = 'class="navbar'


@pytest.fixture
def errors_urls(settings):
    settings.ROOT_URLCONF = "tests.common.error_urls"


def _text(response) -> str:
    return response.content.decode()


def test_a_missing_page_is_the_chinese_404_in_the_layout_with_the_users_menu(world):
    sam = Client()
    sam.force_login(world.sam)
    response = sam.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in _text(response) and LAYOUT in _text(response)
    assert "本支部整改" in _text(response), "the signed-in user keeps the menu"
    assert "Not Found" not in _text(response)


def test_an_anonymous_visitor_gets_the_same_404_without_a_menu(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in _text(response)
    assert "本支部整改" not in _text(response)


def test_the_404_still_shows_when_the_menu_cannot_be_built(world, monkeypatch):
    def broken(request):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(context_processors, "navigation", broken)
    sam = Client()
    sam.force_login(world.sam)
    response = sam.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in _text(response) and LAYOUT in _text(response)


def test_a_server_error_is_the_chinese_500_without_the_internal_message(world, errors_urls):
    sam = Client(raise_request_exception=False)
    sam.force_login(world.sam)
    response = sam.get("/test-errors/boom/")
    assert response.status_code == 500
    assert "系统出错了" in _text(response) and LAYOUT in _text(response)
    assert "English" not in _text(response)


def test_the_500_page_runs_no_database_query(db, django_assert_num_queries):
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = views.server_error(request)
    assert response.status_code == 500 and "系统出错了" in _text(response)


def test_forbidden_is_the_chinese_403(world, errors_urls):
    sam = Client()
    sam.force_login(world.sam)
    response = sam.get("/test-errors/forbidden/")
    assert response.status_code == 403 and "无权访问" in _text(response) and LAYOUT in _text(response)


def test_a_bad_request_is_the_chinese_400_and_a_bad_parameter_says_which(world, errors_urls):
    sam = Client()
    sam.force_login(world.sam)
    suspicious = sam.get("/test-errors/suspicious/")
    assert suspicious.status_code == 400 and "请求无效" in _text(suspicious)
    assert "English" not in _text(suspicious)
    bad = sam.get("/test-errors/needs-an-id/", {"inspection": "²"})
    assert bad.status_code == 400 and "请选择检查。" in _text(bad)
    assert sam.get("/test-errors/needs-an-id/", {"inspection": "12"}).content == b"12"


def test_a_refused_csrf_check_is_a_chinese_page_that_says_what_to_do(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in _text(response) and "刷新页面" in _text(response) and LAYOUT in _text(response)


def test_every_page_links_the_favicon_and_it_is_served(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    page = Client().get("/accounts/login/")
    assert static("favicon.ico") in _text(page) and static("favicon.svg") in _text(page)
    for name in ("favicon.ico", "favicon.svg"):
        icon = Client().get(static(name))
        assert icon.status_code == 200, name


def test_the_500_page_shows_even_when_its_layout_cannot_render(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(views.loader, "render_to_string", broken)
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统内部错误" in _text(response)
