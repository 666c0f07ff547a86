"""What an import writes, to the field: every real-shaped ledger and a messy hand of rows go into one
inspection one after another, and the findings, measures, their history, notes, notifications and the
inspection's organisations are exactly those recorded in tests/intake/data/import_records.json.

The record was taken from the writer before it was made fast (one ``bulk_create_with_history`` per model,
the category suggestion scanning the whole lexicon): a faster writer or planner must write the same rows.
Staff member 周敏 imports into the 2026 round of 某某市委 (tests/intake/ledger_world.py), on a pinned clock.
"""

import datetime
import json
import pathlib
import uuid

import pytest
from django.db import models

from partyreview.accounts.models import Notification
from partyreview.inspections.models import Finding
from partyreview.intake import services
from partyreview.intake.plan import plan_rows
from partyreview.intake.writer import findings_import_plan
from partyreview.rectifications.models import ProgressUpdate, Rectification
from tests.intake import workbooks
from tests.intake.conftest import source_row
from tests.intake.ledger_world import build_ledger_world

RECORD = pathlib.Path(__file__).parent / "data" / "import_records.json"

# A ledger as offices really fill them in: a problem repeated further down, a 序号 given twice, a person
# nobody knows, a broad area for a category, 立行立改 without a date, a quarterly 长期坚持, a department
# beside a branch, a leader, work already done and a name with a title.
MESSY = [
    source_row(
        3,
        sequence="1",
        organization="第一党支部",
        category="党的组织建设",
        description="支部委员会长期缺额，书记由行政负责人兼任",
        measure="1.补齐支委；2.按期换届",
        due_date="2027年3月底前",
        assignee="刘洋（组织委员）",
        leader="李建国",
        progress="正在推进",
    ),
    source_row(
        4,
        sequence="1",
        organization="第二党支部",
        category="",
        description="党费收缴不及时，台账缺失",
        measure="补缴党费并建立台账",
        due_date="立行立改",
        assignee="查无此人",
        progress="已完成",
    ),
    source_row(
        5,
        sequence="（三）",
        department="党委组织部、财务部党支部",
        category="理论学习抓而不实",
        description="理论学习流于形式",
        measure="制定学习计划，每季度末报告",
        due_date="每季度末",
        assignee="纪委书记 赵刚、李娜",
        progress="取得阶段性成果并持续整改",
    ),
    source_row(
        6,
        sequence="4",
        organization="第一党支部",
        category="党的组织建设",
        description="支部委员会长期缺额，书记由行政负责人兼任",
        measure="上级党委督导",
        due_date="2027年底前，并长期坚持",
        assignee="",
    ),
    source_row(
        7,
        sequence="5",
        organization="第三党支部",
        category='"三会一课"落实不到位',
        description="三会一课记录不全",
        measure="规范记录",
        due_date="2026/12/31",
        assignee="王芳",
        progress="已完成整改",
    ),
]


def _label(obj: models.Model | None) -> str | None:
    if obj is None:
        return None
    for attribute in ("username", "code", "name"):
        if hasattr(obj, attribute):
            return f"{type(obj).__name__}:{getattr(obj, attribute)}"
    if isinstance(obj, Finding):
        return f"Finding:{obj.sequence}"
    if isinstance(obj, Rectification):
        return f"Rectification:{obj.finding.sequence}.{obj.number}"
    return f"{type(obj).__name__}:?"


def _value(obj: models.Model, field: models.Field) -> object:
    if field.is_relation:
        return _label(getattr(obj, field.name))
    value = getattr(obj, field.attname)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return "uuid"  # random by design: that there is one is all a record can say
    return value


def _row(obj: models.Model, *, leave_out: tuple[str, ...] = ()) -> dict[str, object]:
    return {
        f.name: _value(obj, f)
        for f in obj._meta.concrete_fields
        if not f.primary_key and f.name not in leave_out and f.name != "history_id"
    }


def records(inspection) -> dict[str, list]:
    findings = Finding.objects.filter(inspection=inspection).order_by("sequence")
    measures = Rectification.objects.filter(finding__inspection=inspection).order_by("finding__sequence", "number")
    return {
        "findings": [_row(f) for f in findings],
        "finding_history": [
            _row(h, leave_out=("id",)) | {"of": f"Finding:{h.sequence}"}
            for h in Finding.history.filter(inspection=inspection).order_by("sequence", "history_date")
        ],
        "measures": [_row(m) for m in measures],
        "measure_history": [
            _row(h, leave_out=("id",)) | {"of": _label(h.instance)}
            for h in Rectification.history.filter(finding__inspection=inspection).order_by(
                "finding__sequence", "number", "history_date"
            )
        ],
        "notes": [
            _row(n)
            for n in ProgressUpdate.objects.filter(rectification__finding__inspection=inspection).order_by(
                "rectification__finding__sequence", "rectification__number", "pk"
            )
        ],
        "notifications": sorted(
            ([n.recipient.username, n.kind, n.title, n.body, n.url] for n in Notification.objects.all()),
            key=lambda n: (n[0], n[1], n[3]),
        ),
        "inspected": sorted(o.name for o in inspection.inspected_orgs.all()),
    }


def _with_inspection_placeholder(data: object, inspection_pk: int) -> object:
    # The inspection's number shows in the notifications' links; it differs from database to database.
    return json.loads(json.dumps(data, ensure_ascii=False).replace(f"inspection={inspection_pk}", "inspection=N"))


def import_everything(lw, django_capture_on_commit_callbacks) -> dict[str, list]:
    with django_capture_on_commit_callbacks(execute=True):
        for build in workbooks.LEDGERS.values():
            plan = services.findings_plan_file(actor=lw.staff, inspection=lw.inspection, data=build())
            findings_import_plan(actor=lw.staff, inspection=lw.inspection, plan=plan)
        plan = plan_rows(actor=lw.staff, inspection=lw.inspection, rows=MESSY)
        assert plan.errors == []
        findings_import_plan(actor=lw.staff, inspection=lw.inspection, plan=plan)
    return _with_inspection_placeholder(records(lw.inspection), lw.inspection.pk)


@pytest.mark.django_db
def test_every_ledger_and_a_messy_one_write_exactly_the_recorded_rows(django_capture_on_commit_callbacks):
    lw = build_ledger_world()

    written = import_everything(lw, django_capture_on_commit_callbacks)

    expected = json.loads(RECORD.read_text(encoding="utf-8"))
    assert len(written["findings"]) == len(expected["findings"]) > 20
    for part in expected:
        assert written[part] == expected[part], part
