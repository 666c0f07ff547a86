"""``with_people``: the measures a list shows name their people from one query by id, not one join each,
loaded explicitly on the rows read (no private QuerySet hooks, so ``iterator()`` and slices behave)."""

import datetime

import pytest
from django.http import Http404

from partyreview.rectifications.models import Rectification, RectificationStatus
from partyreview.rectifications.selectors import rectification_for_page, rectifications_for_list, with_people
from tests.factories import FindingFactory, RectificationFactory


def _measure(world, **fields) -> Rectification:
    finding = FindingFactory(inspection=world.inspection, organization=world.a1, created_by=world.alice)
    return RectificationFactory(finding=finding, responsible_org=world.a1, created_by=world.alice, **fields)


def test_every_person_of_every_row_comes_from_one_query(world, django_assert_num_queries):
    closed = _measure(
        world,
        assignee=world.mike,
        responsible_leader=world.leo,
        submitted_by=world.sam,
        closed_by=world.alice,
        status=RectificationStatus.CLOSED,
        closed_at=datetime.datetime.now(datetime.UTC),
    )
    open_one = _measure(world, assignee=world.mona, responsible_leader=None)
    with django_assert_num_queries(2):
        rows = {r.pk: r for r in with_people(rectifications_for_list(Rectification.objects.all()))}
        first, second = rows[closed.pk], rows[open_one.pk]
        assert (first.assignee, first.responsible_leader, first.submitted_by, first.closed_by) == (
            world.mike,
            world.leo,
            world.sam,
            world.alice,
        )
        assert first.assignee.full_name == world.mike.full_name
        assert (second.assignee, second.responsible_leader, second.submitted_by, second.closed_by) == (
            world.mona,
            None,
            None,
            None,
        )


def test_rows_read_with_iterator_get_their_people_too(world, django_assert_num_queries):
    measure = _measure(world, assignee=world.mike, responsible_leader=world.leo)
    with django_assert_num_queries(2):
        [row] = with_people(rectifications_for_list(Rectification.objects.all()).iterator(chunk_size=10))
        assert (row.pk, row.assignee, row.responsible_leader) == (measure.pk, world.mike, world.leo)


def test_one_measure_for_a_page_comes_with_its_people_or_404(world, django_assert_num_queries):
    measure = _measure(world, assignee=world.mike, responsible_leader=world.leo)
    listed = rectifications_for_list(Rectification.objects.all()).filter(responsible_org=world.a1)
    with django_assert_num_queries(2):
        got = rectification_for_page(listed, measure.pk)
        assert (got.responsible_leader, got.assignee) == (world.leo, world.mike)
    with pytest.raises(Http404):
        rectification_for_page(listed.filter(responsible_org=world.b1), measure.pk)


def test_a_slice_of_a_list_gets_them(world, django_assert_num_queries):
    _measure(world, assignee=world.mike)
    listed = rectifications_for_list(Rectification.objects.all()).order_by("id")
    with django_assert_num_queries(2):
        assert with_people(listed[:1])[0].assignee == world.mike


def test_no_rows_no_people_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert with_people(rectifications_for_list(Rectification.objects.filter(pk=-1))) == []


def test_the_list_queryset_itself_loads_no_people(world, django_assert_num_queries):
    measure = _measure(world, assignee=world.mike)
    with django_assert_num_queries(1):
        row = rectifications_for_list(Rectification.objects.all()).get(pk=measure.pk)
    with django_assert_num_queries(1):
        assert row.assignee == world.mike
