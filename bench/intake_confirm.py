"""The import's confirm step at committee scale, beside its yardstick: a plain bulk insert of the same rows.

    DATABASE_URL=postgres://…/partyreview_bench .venv/bin/python -m bench.intake_confirm [FINDINGS]

Creates a scratch test database (Django's test runner machinery, dropped at the end), a committee of 100
branches with a secretary and an assignee each, and FINDINGS problems (default 5,000) with 2–3 measures
each (12,500 at 5,000) as a ledger's rows read them: deadlines in words, people with titles, progress.
Then, timed with ``time.perf_counter``:

- plan: ``intake.plan.plan_rows`` (every reading, every lookup);
- write: ``intake.writer.findings_import_plan`` (one transaction: findings, measures, notes, history,
  notifications, generations);
- yardstick: the same findings and measures written with two bare ``bulk_create`` calls (no history,
  notes or notifications) into a second inspection, in one transaction.

Prints one JSON line (wall clock, and this process's CPU time beside it); docs/performance.md records the
figures.
"""

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.test")
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    count = int(argv[0]) if argv else 5000
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        print(json.dumps(_run(count), ensure_ascii=False))
    finally:
        teardown_databases(config, verbosity=0)


def _world(branches: int) -> tuple:
    import datetime

    from partyreview.accounts.models import Role, User
    from partyreview.inspections.categories import ensure_standard_categories
    from partyreview.inspections.models import Category
    from partyreview.inspections.services import inspection_create
    from partyreview.organizations.models import Membership, Organization, OrganizationKind

    ensure_standard_categories(Category)
    committee = Organization.objects.create(name="基准党委", code="B", kind=OrganizationKind.COMMITTEE)
    staff = User.objects.create(username="bench-staff", full_name="基准工作人员")
    Membership.objects.create(user=staff, organization=committee, role=Role.STAFF)
    orgs = []
    for i in range(branches):
        org = Organization.objects.create(name=f"第{i + 1}党支部", code=f"B-{i + 1}", kind="branch", parent=committee)
        secretary = User.objects.create(username=f"sec{i}", full_name=f"书记{i}")
        member = User.objects.create(username=f"mem{i}", full_name=f"党员{i}")
        Membership.objects.create(user=secretary, organization=org, role=Role.SECRETARY)
        Membership.objects.create(user=member, organization=org, role=Role.MEMBER)
        orgs.append(org)
    inspections = [
        inspection_create(
            actor=staff,
            title=title,
            kind="tour",
            inspecting_org=committee,
            inspected_orgs=orgs,
            start_date=datetime.date(2026, 9, 1),
            feedback_date=datetime.date(2026, 10, 15),
        )
        for title in ("基准巡察", "基准对照")
    ]
    return staff, orgs, inspections


def _rows(count: int, branches: int) -> list:
    from partyreview.intake.fields import Field, SourceRow

    deadlines = ("2027年3月底前", "2027-06-30", 46477, "立行立改", "长期坚持", "2027年底前，并长期坚持", "12月31日前")
    progress = ("已完成", "正在推进", "", "按序时进度推进", "")
    categories = ('"三会一课"落实不到位', "党费收缴不规范、欠缴", "理论学习抓而不实", "党的组织建设")
    rows = []
    number = 3
    for i in range(count):
        branch = i % branches
        for m in range(2 if i % 2 else 3):
            rows.append(
                SourceRow(
                    number=number,
                    values={
                        Field.SEQUENCE: i + 1,
                        Field.ORGANIZATION: f"第{branch + 1}党支部",
                        Field.CATEGORY: categories[i % len(categories)],
                        Field.DESCRIPTION: f"第{i + 1}个问题：支部未按期召开党员大会，会议记录不全",
                        Field.MEASURE: f"第{m + 1}项措施：制定计划并按期召开",
                        Field.DUE_DATE: deadlines[(i + m) % len(deadlines)],
                        Field.ASSIGNEE: f"党员{branch}（组织委员）" if (i + m) % 5 else "查无此人",
                        Field.LEADER: "",
                        Field.PROGRESS: progress[(i + m) % len(progress)],
                    },
                )
            )
            number += 1
    return rows


def _yardstick(staff, inspection, plan) -> float:
    from django.db import transaction

    from partyreview.common.dates import local_today
    from partyreview.inspections.models import Finding
    from partyreview.rectifications.models import Rectification, RectificationKind, ReportCadence
    from partyreview.rectifications.services import compute_warn_from, first_report_due

    today = local_today()

    def cadence(m) -> dict:
        # A 长期坚持 row must carry its cadence and first report (a check constraint), as the writer's do.
        if m.kind != RectificationKind.LONG_TERM:
            return {}
        every = m.cadence or ReportCadence.QUARTERLY
        return {"report_cadence": every, "report_due_on": first_report_due(today, every)}

    start = time.perf_counter()
    with transaction.atomic():
        findings = Finding.objects.bulk_create(
            [
                Finding(
                    inspection=inspection,
                    sequence=f.sequence,
                    organization=f.organization,
                    category=f.category,
                    description=f.description,
                    found_on=f.found_on,
                    source="import",
                    created_by=staff,
                )
                for f in plan.findings
            ],
            batch_size=1000,
        )
        Rectification.objects.bulk_create(
            [
                Rectification(
                    finding=finding,
                    number=n,
                    measure=m.measure,
                    kind=m.kind,
                    responsible_org=f.organization,
                    assignee=m.assignee,
                    due_date=m.due_date,
                    original_due_date=m.due_date,
                    warn_from=compute_warn_from(m.due_date, m.due_date),
                    status=m.status,
                    created_by=staff,
                    **cadence(m),
                )
                for finding, f in zip(findings, plan.findings, strict=True)
                for n, m in enumerate(f.measures, start=1)
            ],
            batch_size=1000,
        )
    return time.perf_counter() - start


def _run(count: int) -> dict:
    from django.urls import reverse

    from partyreview.intake.classify import suggest_category
    from partyreview.intake.plan import plan_rows
    from partyreview.intake.writer import findings_import_plan

    # A worker has loaded these long before an import arrives: the URL table and jieba's dictionary.
    reverse("intake:start")
    suggest_category("支部未按期召开党员大会")

    branches = 100
    staff, _orgs, (inspection, other) = _world(branches)
    rows = _rows(count, branches)

    start, cpu = time.perf_counter(), time.process_time()
    plan = plan_rows(actor=staff, inspection=inspection, rows=rows)
    planned, planned_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert not plan.errors, plan.errors[:5]

    start, cpu = time.perf_counter(), time.process_time()
    result = findings_import_plan(actor=staff, inspection=inspection, plan=plan)
    written, written_cpu = time.perf_counter() - start, time.process_time() - cpu

    cpu = time.process_time()
    baseline = _yardstick(staff, other, plan)
    baseline_cpu = time.process_time() - cpu
    return {
        "findings": result.findings_created,
        "measures": result.measures_created,
        "rows": len(rows),
        "plan_s": round(planned, 2),
        "write_s": round(written, 2),
        "confirm_s": round(planned + written, 2),
        "bulk_insert_s": round(baseline, 2),
        "write_over_bulk": round(written / baseline, 2),
        "confirm_over_bulk": round((planned + written) / baseline, 2),
        # This process's CPU alone (the database's work not counted): steadier than the wall clock when
        # the machine is shared.
        "plan_cpu_s": round(planned_cpu, 2),
        "write_cpu_s": round(written_cpu, 2),
        "bulk_insert_cpu_s": round(baseline_cpu, 2),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
