"""A page sends the user back only to a path on this site, whatever ``next`` says."""

import pytest
from django.test import RequestFactory

from partyreview.common.redirects import next_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/rectifications/review/", "/rectifications/review/"),
        ("/dashboard/?inspection=3", "/dashboard/?inspection=3"),
        ("https://evil.example/phish", "/home/"),
        ("//evil.example/", "/home/"),
        ("javascript:alert(1)", "/home/"),
        ("", "/home/"),
    ],
)
def test_next_stays_on_this_site(given, expected):
    request = RequestFactory().post("/x/", {"next": given}, HTTP_HOST="partyreview.example")
    assert next_url(request, "/home/") == expected


def test_next_from_the_query_string_counts_too_and_the_default_is_empty():
    factory = RequestFactory()
    assert next_url(factory.get("/x/", {"next": "/inspections/"})) == "/inspections/"
    assert next_url(factory.get("/x/")) == ""
