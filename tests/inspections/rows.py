"""Many rows fast, for the query-count tests: raw factory rows, no services (their rules are tested elsewhere)."""

import datetime

from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partyreview.inspections.models import Finding
from partyreview.rectifications.models import ExtensionRequest, RectificationStatus
from tests.factories import FindingFactory, RectificationFactory


def add_findings(world, count: int, *, status: str = RectificationStatus.SUBMITTED, extensions: bool = True) -> None:
    """``count`` findings in A1, each with one measure in ``status`` (and a pending extension request)."""
    start = (Finding.objects.filter(inspection=world.inspection).aggregate(m=Max("sequence"))["m"] or 0) + 1
    for sequence in range(start, start + count):
        finding = FindingFactory(
            inspection=world.inspection, organization=world.a1, sequence=sequence, created_by=world.alice
        )
        add_measures(world, finding, 1, status=status, extensions=extensions)


def add_measures(
    world, finding: Finding, count: int, *, status: str = RectificationStatus.SUBMITTED, extensions: bool = True
) -> None:
    first = (finding.rectifications.aggregate(m=Max("number"))["m"] or 0) + 1
    for number in range(first, first + count):
        r = RectificationFactory(
            finding=finding,
            number=number,
            responsible_org=finding.organization,
            assignee=world.mike,
            responsible_leader=world.leo,
            created_by=world.alice,
            status=status,
            submitted_by=world.mike if status == RectificationStatus.SUBMITTED else None,
            submitted_at=timezone.now() if status == RectificationStatus.SUBMITTED else None,
            submission_summary="整改完成",
        )
        if extensions:
            ExtensionRequest.objects.create(
                rectification=r,
                previous_due_date=r.due_date,
                requested_due_date=r.due_date + datetime.timedelta(days=30),
                reason="人员调整",
                requested_by=world.mike,
            )


# Upper bounds, so a new per-page query is noticed; the real guard is "small == large".
LIMIT = 20


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)
