"""A member of staff (login "staff") files a finding and takes a measure from the measure library
(整改措施库) in one click: choosing the category offers its standard measures, a click fills the measure
and its kind. Screenshot: staff-measure-suggestions.png."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from partyreview.inspections.models import Inspection
from partyreview.rectifications.measure_library import STANDARD_MEASURES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _choose(select, label: str) -> None:
    value = select.locator("option").filter(has_text=label).first.get_attribute("value")
    select.select_option(value)


def test_staff_take_a_measure_from_the_library(live_server, page, login, screenshot):
    call_command("seed_demo", force=True)
    inspection = Inspection.objects.get(title="2026年第二轮党委巡察")
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/inspections/{inspection.pk}/findings/new/")
    form = page.locator("#finding-form")
    suggestions = page.locator("#measure-suggestions")
    expect(suggestions).to_be_hidden()

    _choose(form.locator("select[name=category]"), "党费收缴")

    expect(suggestions).to_be_visible()
    first_text, first_kind = STANDARD_MEASURES["dues_arrears"][0]
    second_text, second_kind = STANDARD_MEASURES["dues_arrears"][1]
    suggestions.locator(".measure-suggestion", has_text=first_text).click()
    expect(form.locator("textarea[name='measures-0-measure']")).to_have_value(first_text)
    expect(form.locator("select[name='measures-0-kind']")).to_have_value(first_kind)

    # A second click fills the next empty measure, adding one when none is left.
    suggestions.locator(".measure-suggestion", has_text=second_text).click()
    expect(form.locator("textarea[name='measures-1-measure']")).to_have_value(second_text)
    expect(form.locator("select[name='measures-1-kind']")).to_have_value(second_kind)
    expect(suggestions.locator(".measure-suggestion", has_text=first_text)).to_be_disabled()
    screenshot(page, "staff-measure-suggestions")
    assert page.console_errors == []
