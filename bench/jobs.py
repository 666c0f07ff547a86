"""Benchmarks that run in a process of their own: ``python -m bench.jobs <job> [args]``, one JSON line out.

- ``export QUERY``: the register export (office:register_export) with that query string, written in the
  request whatever its size (the worker runs the same writer), streamed to nowhere; reports time, rows,
  bytes and the process's peak memory (VmHWM from /proc/self/status). A process of its own so the peak
  belongs to this export alone. Then, in the same process, the yardsticks of #22's table: the same rows
  and columns fetched alone, and written by XlsxWriter's constant-memory mode and openpyxl's write-only
  mode alone (no formats, no heights).
- ``import COUNT``: a COUNT-finding .xlsx through the three import pages (upload, preview, confirm) as a
  committee staff member; the confirmed import runs eagerly in-process, as a worker would run it.
  Writes, so bench/run.py points it at a throw-away clone of the database.
"""

import io
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")


def _proc_status() -> dict[str, int]:
    """VmRSS and VmHWM (peak resident memory) of this process in bytes."""
    values = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in {"VmRSS", "VmHWM"}:
                values[key] = int(rest.split()[0]) * 1024
    return values


def _client(username: str) -> object:
    from django.test import Client

    from partyreview.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _drain(response: object) -> int:
    """Read the body as a browser would, chunk by chunk, keeping none of it."""
    if getattr(response, "streaming", False):
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        response.close()
        return size
    return len(response.content)


def export_yardsticks(query: str, username: str) -> dict:
    """The same rows fetched alone, and written by each plain writer alone, in milliseconds."""
    import tempfile

    import xlsxwriter
    from django.http import QueryDict
    from openpyxl import Workbook

    from partyreview.accounts.models import User
    from partyreview.office.selectors import register_values
    from partyreview.rectifications.filters import RectificationFilter
    from partyreview.rectifications.permissions import rectifications_visible_to

    user = User.objects.get(username=username)

    def rows() -> object:
        return register_values(RectificationFilter(QueryDict(query), queryset=rectifications_visible_to(user)).qs)

    def fetch() -> None:
        for _row in rows():
            pass

    def plain_xlsxwriter() -> None:
        with tempfile.TemporaryFile() as target:
            book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
            sheet = book.add_worksheet()
            for number, row in enumerate(rows(), start=1):
                sheet.write_row(number, 0, (number, *row))
            book.close()

    def plain_openpyxl() -> None:
        with tempfile.TemporaryFile() as target:
            book = Workbook(write_only=True)
            sheet = book.create_sheet()
            for number, row in enumerate(rows(), start=1):
                sheet.append((number, *row))
            book.save(target)

    timings = {}
    for name, fn in (("fetch", fetch), ("xlsxwriter", plain_xlsxwriter), ("openpyxl", plain_openpyxl)):
        started = time.perf_counter()
        fn()
        timings[f"{name}_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return timings


def export(query: str, username: str = "sc-staff1") -> dict:
    from django.conf import settings
    from django.urls import reverse

    # Measured in the request at every size: the worker writes the larger ones with the same code.
    settings.OFFICE_EXPORT_ASYNC_ROWS = 10**9

    from partyreview.rectifications.filters import RectificationFilter
    from partyreview.rectifications.permissions import rectifications_visible_to

    client = _client(username)
    url = f"{reverse('office:register_export')}?{query}"
    # Warm up on a few rows: imports and caches are not the export's memory.
    _drain(client.get(f"{reverse('office:register_export')}?q=__nothing_matches__"))
    from django.http import QueryDict

    from partyreview.accounts.models import User

    user = User.objects.get(username=username)
    rows = RectificationFilter(QueryDict(query), queryset=rectifications_visible_to(user)).qs.count()
    before = _proc_status()
    started = time.perf_counter()
    response = client.get(url)
    size = _drain(response)
    elapsed = time.perf_counter() - started
    after = _proc_status()
    yardsticks = export_yardsticks(query, username)
    return {
        **yardsticks,
        "ratio": round(elapsed * 1000 / yardsticks["xlsxwriter_ms"], 2) if yardsticks["xlsxwriter_ms"] else None,
        "status": response.status_code,
        "rows": rows,
        "bytes": size,
        "ms": round(elapsed * 1000, 1),
        "rss_before_mb": round(before["VmRSS"] / 2**20, 1),
        "peak_mb": round(after["VmHWM"] / 2**20, 1),
        "growth_mb": round((after["VmHWM"] - before["VmRSS"]) / 2**20, 1),
    }


def _import_workbook(count: int) -> tuple[bytes, object]:
    """A filled import template of ``count`` findings (one measure each) over the committee's branches,
    and the inspection it goes into (created for the benchmark)."""
    import datetime

    from openpyxl import load_workbook

    from partyreview.accounts.models import User
    from partyreview.common.dates import local_today
    from partyreview.inspections.models import Category, InspectionKind
    from partyreview.inspections.services import inspection_create
    from partyreview.intake import importers
    from partyreview.organizations.models import Membership, Organization, OrganizationKind

    staff = User.objects.get(username="sc-staff1")
    committee = Organization.objects.get(kind=OrganizationKind.COMMITTEE, code__startswith="SCALE-")
    today = local_today()
    inspection = inspection_create(
        actor=staff,
        title=f"{today.year}年导入性能测试",
        kind=InspectionKind.SPECIAL,
        inspecting_org=committee,
        inspected_orgs=[],
        start_date=today - datetime.timedelta(days=30),
        feedback_date=today - datetime.timedelta(days=5),
        owners=[staff],
    )
    categories = list(Category.objects.filter(is_active=True))
    assignees = list(
        Membership.objects.filter(role="member", organization__path__startswith=committee.path)
        .order_by("organization__path", "user__username")
        .values_list("organization__code", "user__username")
    )
    data = importers.build_template(categories=categories, organizations=[])
    wb = load_workbook(io.BytesIO(data))
    ws = wb[importers.DATA_SHEET]
    for n in range(1, count + 1):
        org_code, username = assignees[(n * 37) % len(assignees)]
        category = categories[n % len(categories)]
        row = {
            "序号": n,
            "党组织": org_code,
            "问题类别": category.name,
            "严重程度": "一般",
            "问题描述": f"导入测试问题第{n}项：{category.description or category.name}",
            "依据": "",
            "发现日期": today - datetime.timedelta(days=5),
            "整改措施": "制定整改方案，明确责任分工和完成时限。",
            "整改类型": "限期整改",
            "责任领导": "",
            "责任人": username,
            "整改时限": today + datetime.timedelta(days=30 + n % 60),
        }
        ws.append([row[h] for h in importers.HEADERS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), inspection


def import_findings(count: int) -> dict:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from partyreview.inspections.models import Finding
    from partyreview.intake.models import ImportBatch

    settings.CELERY_TASK_ALWAYS_EAGER = True
    from partyreview.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    data, inspection = _import_workbook(count)
    client = _client("sc-staff1")
    upload = SimpleUploadedFile("问题清单.xlsx", data, content_type="application/octet-stream")
    steps = {}
    started = time.perf_counter()
    response = client.post(reverse("intake:start"), {"inspection": inspection.pk, "file": upload})
    steps["upload_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if response.status_code != 302:
        return {"status": response.status_code, "error": "upload refused", "body": response.content[:2000].decode()}
    batch = ImportBatch.objects.latest("pk")
    started = time.perf_counter()
    preview = client.get(reverse("intake:preview", args=[batch.pk]))
    steps["preview_ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    confirm = client.post(reverse("intake:confirm", args=[batch.pk]))
    steps["confirm_ms"] = round((time.perf_counter() - started) * 1000, 1)
    batch.refresh_from_db()
    created = Finding.objects.filter(inspection=inspection).count()
    steps["bulk_insert_ms"] = _bulk_insert_yardstick(inspection)
    return {
        "status": max(preview.status_code, confirm.status_code if confirm.status_code != 302 else 200),
        "bytes": len(data),
        "findings_created": created,
        "batch_status": batch.status,
        "ms": round(steps["upload_ms"] + steps["preview_ms"] + steps["confirm_ms"], 1),
        **steps,
    }


def _bulk_insert_yardstick(inspection: object) -> float:
    """The import's yardstick: the findings and measures it created, inserted again with two plain
    ``bulk_create``s (into a copy of the inspection), in a transaction rolled back. Milliseconds."""
    import copy

    from django.db import models, transaction

    from partyreview.inspections.models import Finding
    from partyreview.rectifications.models import Rectification

    findings = list(Finding.objects.filter(inspection=inspection).order_by("pk"))
    measures = list(Rectification.objects.filter(finding__inspection=inspection).order_by("pk"))

    def fresh(obj: models.Model) -> models.Model:
        clone = copy.copy(obj)
        clone.pk = None
        for field in obj._meta.concrete_fields:
            if isinstance(field, models.UUIDField) and field.has_default():
                setattr(clone, field.attname, field.get_default())
        return clone

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            twin = fresh(inspection)
            twin.save()
            new_findings = [fresh(f) for f in findings]
            for f in new_findings:
                f.inspection_id = twin.pk
            Finding.objects.bulk_create(new_findings, batch_size=1000)
            by_old = {old.pk: new.pk for old, new in zip(findings, new_findings, strict=True)}
            new_measures = [fresh(r) for r in measures]
            for r in new_measures:
                r.finding_id = by_old[r.finding_id]
            Rectification.objects.bulk_create(new_measures, batch_size=1000)
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return round(elapsed * 1000, 1)


def main(argv: list[str]) -> None:
    django.setup()
    job = argv[0]
    if job == "export":
        result = export(argv[1])
    elif job == "import":
        result = import_findings(int(argv[1]))
    else:
        sys.exit(f"unknown job {job!r}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
