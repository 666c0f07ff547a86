"""FastSelect writes the markup forms.Select writes, faster, and lists model choices in one query."""

import re

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partyreview.common import generations
from partyreview.common.widgets import FastSelect
from partyreview.inspections.forms import OrganizationChoiceField
from partyreview.organizations.models import Organization
from tests.factories import OrganizationFactory

OPTION = re.compile(r'<option value="([^"]*)"( selected)?>([^<]*)</option>')
CHOICES = [("", "全部"), ("1", "第一<b>党支部</b>"), ("2", 'He said "&"'), (3, "三")]


@pytest.mark.parametrize("value", [None, "", "1", "2", 3])
def test_the_same_markup_as_a_plain_select(value):
    attrs = {"class": "form-select", "id": "id_x"}
    fast = FastSelect(attrs=attrs, choices=CHOICES).render("x", value)
    plain = forms.Select(attrs=attrs, choices=CHOICES).render("x", value)

    # The same options, values, selection and escaping; attribute order and whitespace aside.
    assert OPTION.findall(fast) == OPTION.findall(plain)
    assert len(OPTION.findall(fast)) == len(CHOICES)
    assert fast.startswith("<select ") and fast.endswith("</option></select>")
    for attribute in ('class="form-select"', 'id="id_x"', 'name="x"'):
        assert attribute in fast
    assert "<b>" not in fast and "&lt;b&gt;" in fast


@pytest.mark.django_db
def test_model_choices_are_read_in_one_query_without_a_count():
    for i in range(3):
        OrganizationFactory(name=f"支部{i}<script>")
    field = forms.ModelChoiceField(queryset=Organization.objects.order_by("path"), widget=FastSelect)

    with CaptureQueriesContext(connection) as queries:
        html = field.widget.render("org", None)

    assert len(queries) == 1
    assert "COUNT(" not in queries[0]["sql"].upper()
    assert html.count("<option") == 4
    assert "<script>" not in html


class InstanceLabels(forms.ModelChoiceField):
    """The organisation field's labels built from instances, as Django's own iterator does."""

    widget = FastSelect

    def label_from_instance(self, obj: Organization) -> str:
        return OrganizationChoiceField.label_from_values(obj.depth, obj.name)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, "first"])
def test_choices_read_as_values_render_as_the_instances_do(value):
    parent = OrganizationFactory(name="党委<i>")
    for i in range(3):
        OrganizationFactory(name=f'支部{i} "&"', parent=parent)
    queryset = Organization.objects.order_by("path")
    selected = queryset.first().pk if value else None
    from_values = OrganizationChoiceField(queryset=queryset, empty_label="全部")
    from_instances = InstanceLabels(queryset=queryset, empty_label="全部")

    with CaptureQueriesContext(connection) as queries:
        fast = from_values.widget.render("org", selected)

    assert fast == from_instances.widget.render("org", selected)
    assert len(queries) == 1
    assert fast.count("<option") == 5 and "\u3000支部0" in fast and "<i>" not in fast


@pytest.mark.django_db
def test_a_fields_options_are_kept_until_an_organisation_changes():
    parent = OrganizationFactory(name="党委")
    first, second = (OrganizationFactory(name=f"支部{i}", parent=parent) for i in range(2))
    field = OrganizationChoiceField(queryset=Organization.objects.order_by("path"), empty_label="全部")
    uncached = InstanceLabels(queryset=Organization.objects.order_by("path"), empty_label="全部")
    field.widget.render("org", None)

    with CaptureQueriesContext(connection) as queries:
        html = field.widget.render("org", second.pk)
    assert len(queries) == 0
    # The selection is marked on the kept options, as a fresh render marks it.
    assert html == uncached.widget.render("org", second.pk)
    assert html.count(" selected") == 1 and f'value="{second.pk}" selected' in html

    # A finding or measure saved (the lists' counts retired) changes no menu: the options stay kept.
    generations.bump(generations.RECORDS)
    with CaptureQueriesContext(connection) as queries:
        field.widget.render("org", None)
    assert len(queries) == 0

    first.name = "支部（更名）"
    first.save()
    assert "\u3000支部（更名）" in field.widget.render("org", None)


@pytest.mark.django_db
def test_two_querysets_never_share_options(settings):
    parent = OrganizationFactory(name="党委")
    child = OrganizationFactory(name="支部", parent=parent)
    everything = OrganizationChoiceField(queryset=Organization.objects.order_by("path"))
    one = OrganizationChoiceField(queryset=Organization.objects.filter(pk=child.pk))

    assert "党委" in everything.widget.render("org", None)
    assert "党委" not in one.widget.render("org", None)

    settings.CACHED_FIGURES_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        one.widget.render("org", None)
        one.widget.render("org", None)
    assert len(queries) == 2


@pytest.mark.django_db
def test_a_field_with_nothing_to_offer_asks_nothing():
    field = OrganizationChoiceField(queryset=Organization.objects.none(), empty_label="全部")

    with CaptureQueriesContext(connection) as queries:
        html = field.widget.render("org", None)

    assert len(queries) == 0
    assert OPTION.findall(html) == [("", " selected", "全部")]  # as forms.Select marks an empty value
