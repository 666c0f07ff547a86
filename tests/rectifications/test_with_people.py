"""``with_people``: a list's measures name their people from one query by id, not one join each."""

import datetime

from partyreview.rectifications.models import Rectification, RectificationStatus
from partyreview.rectifications.selectors import rectifications_for_list
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
        rows = {r.pk: r for r in rectifications_for_list(Rectification.objects.all())}
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


def test_a_chained_queryset_and_get_keep_it(world, django_assert_num_queries):
    measure = _measure(world, assignee=world.mike, responsible_leader=world.leo)
    listed = rectifications_for_list(Rectification.objects.all()).filter(responsible_org=world.a1).order_by("id")
    with django_assert_num_queries(2):
        got = listed.get(pk=measure.pk)
        assert got.responsible_leader == world.leo
    with django_assert_num_queries(2):
        assert listed[:1][0].assignee == world.mike


def test_no_rows_no_people_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert list(rectifications_for_list(Rectification.objects.filter(pk=-1))) == []


def test_values_rows_are_left_alone(world, django_assert_num_queries):
    _measure(world, assignee=world.mike)
    with django_assert_num_queries(1):
        assert list(rectifications_for_list(Rectification.objects.all()).values_list("assignee_id", flat=True)) == [
            world.mike.pk
        ]


def test_a_plain_queryset_does_not_load_them(world, django_assert_num_queries):
    measure = _measure(world, assignee=world.mike)
    with django_assert_num_queries(1):
        row = Rectification.objects.get(pk=measure.pk)
    with django_assert_num_queries(1):
        assert row.assignee == world.mike
