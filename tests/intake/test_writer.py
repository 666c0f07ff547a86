"""The writer: a clean plan goes in whole, in bulk, with history, notes, notifications and fresh figures —
or nothing goes in."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partyreview.accounts.models import Notification
from partyreview.common import generations
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding, FindingSource
from partyreview.intake.plan import plan_rows
from partyreview.intake.writer import findings_import_plan
from partyreview.rectifications import services
from partyreview.rectifications.models import ProgressKind, Rectification, RectificationStatus
from tests.intake.conftest import source_row

LEDGER = [
    source_row(
        3,
        sequence="一",
        organization="机关第一党支部",
        category="meeting_lapses",
        description="未按期召开党员大会",
        measure="1.制定计划；2.补开大会",
        due_date="2027年3月底前",
        assignee="马可",
        progress="正在推进",
    ),
    source_row(
        4,
        sequence="二",
        organization="机关第一党支部",
        category="dues_arrears",
        description="党费台账缺失",
        measure="建立台账",
        due_date="2026年12月31日",
        assignee="纪委书记 赵刚",
        progress="已完成",
    ),
    source_row(
        5,
        sequence="三",
        organization="生产第一党支部",
        category="other",
        description="活动阵地不足",
        measure="建设活动室",
        due_date="长期坚持",
        assignee="莫娜",
    ),
]


def write(world, inspection, rows=LEDGER, progress=None):
    plan = plan_rows(actor=world.alice, inspection=inspection, rows=rows)
    assert plan.errors == []
    return findings_import_plan(actor=world.alice, inspection=inspection, plan=plan, progress=progress)


def test_a_ledger_goes_in_with_its_measures_notes_and_history(world, inspection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = write(world, inspection)
    assert (result.findings_created, result.measures_created, result.findings_skipped) == (3, 4, 0)
    findings = list(Finding.objects.filter(inspection=inspection).order_by("sequence"))
    assert [(f.sequence, f.source) for f in findings] == [(1, FindingSource.IMPORT), (2, "import"), (3, "import")]
    assert all(f.history.get().history_change_reason == "录入问题" for f in findings)
    measures = list(Rectification.objects.order_by("finding__sequence", "number"))
    assert [(m.finding.sequence, m.number, m.measure, m.status) for m in measures] == [
        (1, 1, "制定计划", RectificationStatus.IN_PROGRESS),
        (1, 2, "补开大会", RectificationStatus.IN_PROGRESS),
        (2, 1, "建立台账", RectificationStatus.SUBMITTED),
        (3, 1, "建设活动室", RectificationStatus.PENDING),
    ]
    done = measures[2]
    assert (done.assignee, done.named_assignee, done.submitted_by) == (world.sam, "赵刚", world.sam)
    assert done.history.get().history_user == world.alice
    assert done.history.get().history_change_reason == "导入：台账记载已完成，待审核"
    assert [(u.kind, u.note) for u in done.progress_updates.all()] == [
        (ProgressKind.SUBMISSION, "（据导入台账）已完成")
    ]
    assert measures[0].original_due_date == datetime.date(2027, 3, 31)
    assert measures[0].warn_from < measures[0].due_date
    # One notification per person for the whole import, not one per measure.
    per_person = {n.recipient.username: n.body for n in Notification.objects.filter(kind="assigned")}
    assert set(per_person) == {"mike", "sam", "mona", "sara"}
    assert "新增 3 项" in per_person["sam"]


def test_an_imported_done_measure_is_closed_only_by_review(world, inspection):
    write(world, inspection)
    done = Rectification.objects.get(status=RectificationStatus.SUBMITTED)
    closed = services.rectification_close(actor=world.alice, rectification=done, note="核查属实")
    assert closed.status == RectificationStatus.CLOSED


def test_a_refused_import_writes_nothing(world, inspection):
    plan = plan_rows(actor=world.alice, inspection=inspection, rows=LEDGER)
    world.mona.memberships.all().delete()  # between preview and confirm, Mona leaves B1
    with pytest.raises(ActionRefused, match="第5行：责任人“莫娜”不属于“生产第一党支部”"):
        findings_import_plan(actor=world.alice, inspection=inspection, plan=plan)
    assert not Finding.objects.filter(inspection=inspection).exists()
    assert not Rectification.objects.exists()


def test_a_second_import_of_the_same_plan_creates_nothing(world, inspection):
    plan = plan_rows(actor=world.alice, inspection=inspection, rows=LEDGER)
    findings_import_plan(actor=world.alice, inspection=inspection, plan=plan)
    again = findings_import_plan(actor=world.alice, inspection=inspection, plan=plan)
    assert (again.findings_created, again.findings_skipped) == (0, 3)
    assert Finding.objects.filter(inspection=inspection).count() == 3


def test_only_staff_over_the_inspection_may_write(world, inspection):
    plan = plan_rows(actor=world.alice, inspection=inspection, rows=LEDGER)
    with pytest.raises(ActionRefused, match="您无权向该检查导入问题清单"):
        findings_import_plan(actor=world.gina, inspection=inspection, plan=plan)


def test_the_cached_figures_are_retired(world, inspection):
    before = {topic: generations.current(topic) for topic in ("dashboard", "records")}
    write(world, inspection)
    assert all(generations.current(topic) > before[topic] for topic in before)


def test_progress_is_reported_and_the_queries_do_not_grow_with_the_rows(world, inspection):
    seen = []
    write(world, inspection, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (3, 3)]

    def rows(n, offset):
        return [
            source_row(
                10 + i,
                organization="机关第一党支部",
                category="other",
                description=f"问题{offset + i}",
                measure="整改",
                assignee="马可",
                due_date="2027-01-31",
            )
            for i in range(n)
        ]

    counts = []
    for n, offset in ((5, 100), (60, 200)):
        plan = plan_rows(actor=world.alice, inspection=inspection, rows=rows(n, offset))
        with CaptureQueriesContext(connection) as queries:
            findings_import_plan(actor=world.alice, inspection=inspection, plan=plan)
        counts.append(len(queries))
    # Twelve times the rows: the same statements, a bulk insert split into a few more batches at most where
    # the database limits the parameters of one statement (SQLite), never a query per row.
    assert counts[0] <= counts[1] <= counts[0] + 6


def test_choosing_the_assignee_settles_a_measure_awaiting_assignment(world, inspection):
    write(world, inspection)
    waiting = Rectification.objects.get(named_assignee="赵刚")
    assert waiting.is_awaiting_assignment

    services.rectification_update(actor=world.alice, rectification=waiting, assignee=world.mike)

    waiting.refresh_from_db()
    assert (waiting.assignee, waiting.named_assignee, waiting.is_awaiting_assignment) == (world.mike, "", False)


def test_the_register_shows_the_department_and_who_awaits_assignment(world, inspection, client_for):
    rows = [
        source_row(
            3,
            organization="机关第一党支部",
            category="other",
            description="财务报销不规范",
            measure="修订报销办法",
            department="财务部",
            assignee="赵刚",
            due_date="2027-01-31",
        ),
    ]
    write(world, inspection, rows=rows)

    response = client_for(world.alice).get(reverse("office:register_export"))
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in ws[1]]
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))

    assert values["责任部门"] == "财务部"
    assert values["责任人"] == "孙山（待指派，台账所列：赵刚）"
