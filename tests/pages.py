"""Reading a page in a test: its HTML, once it is known to have rendered.

A test that only checks that something is absent from a page would also pass on a 404 or a login
redirect; ``rendered`` makes it check the page first."""

from django.http import HttpResponse


def rendered(response: HttpResponse) -> str:
    assert response.status_code == 200, f"the page answered {response.status_code}, not 200"
    return response.content.decode()
