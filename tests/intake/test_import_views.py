"""The import pages: upload → preview with every bad row → confirm, all or nothing, staff in scope only."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Notification, User
from partyreview.inspections.models import Category, Finding
from partyreview.intake import services, writer
from partyreview.intake.models import ImportBatch, ImportStatus
from partyreview.intake.services import import_batch_create
from partyreview.organizations.models import Membership, Organization
from partyreview.rectifications.models import Rectification
from tests.intake.template_workbooks import row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "问题清单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post_file(client, world, data: bytes, name: str = "问题清单.xlsx"):
    return client.post(reverse("intake:start"), {"inspection": world.inspection.pk, "file": upload(data, name)})


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Press 确认导入 and let the worker run (Celery is eager in tests; it starts once the request commits)."""

    def press(client, batch):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("intake:confirm", args=[batch.pk]))
        # Follow the redirect only now, after the worker ran, as a person reloading the page would.
        return client.get(response["Location"])

    return press


def test_staff_uploads_previews_and_imports(world, client_for, confirm):
    client = client_for(world.alice)

    response = post_file(client, world, xlsx(row(), row(序号=1, 整改措施="第二项"), row(序号=2, 问题描述="另一个问题")))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:preview", args=[batch.pk])
    assert batch.status == ImportStatus.PREVIEW and batch.file
    assert not Finding.objects.exists()

    preview = client.get(response["Location"])
    assert "将新建问题 2 个、整改措施 3 项" in preview.content.decode()
    assert 'id="confirm-import"' in preview.content.decode()

    page = confirm(client, batch).content.decode()
    assert "新建问题 <strong>2</strong> 个、整改措施 <strong>3</strong> 项" in page
    assert f"{reverse('inspections:finding_list')}?inspection={world.inspection.pk}" in page
    batch.refresh_from_db()
    assert (batch.status, batch.findings_created, batch.measures_created) == (ImportStatus.IMPORTED, 2, 3)
    assert not batch.file
    assert Finding.objects.count() == 2


def test_the_preview_lists_every_bad_row_and_offers_no_import(world, client_for, confirm):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(), row(序号=2, 党组织="不存在的支部"), row(序号=3, 问题描述="乙", 整改措施=None)))
    batch = ImportBatch.objects.get()

    page = client.get(reverse("intake:preview", args=[batch.pk])).content.decode()

    assert "错误 2 处" in page
    assert (
        "<td>第4行</td><td>党组织</td><td>在本次检查（测试党委）和您的管理范围内找不到党组织“不存在的支部”</td>" in page
    )
    assert "<td>第5行</td><td>整改措施</td><td>缺少整改措施</td>" in page
    assert 'id="confirm-import"' not in page

    response = confirm(client, batch)
    assert "文件中有 2 处错误，未导入任何数据。请修改后重新上传。" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert not Finding.objects.exists()


def test_a_refused_file_shows_the_reason_on_the_form_and_is_not_kept(world, client_for):
    client = client_for(world.alice)

    response = post_file(client, world, b"not a workbook at all", name="伪装.xlsx")

    assert response.status_code == 200
    assert "文件不是有效的 Excel 工作簿（.xlsx），请在 Excel 中另存为 .xlsx 文件后再导入。" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_confirming_twice_imports_once(world, client_for, confirm):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    confirm(client, batch)

    response = confirm(client, batch)

    assert "该文件已经导入，无需重复确认。" in response.content.decode()
    assert Finding.objects.count() == 1


def test_the_confirm_step_imports_exactly_what_was_previewed(world, client_for, confirm):
    """If the stored file changed after the preview (it should not), nothing is imported."""
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    with batch.file.open("wb") as stored:
        stored.write(xlsx(row(), row(序号=2)))

    response = confirm(client, batch)

    assert "暂存的文件与预览时不一致，请重新上传。" in response.content.decode()
    assert not Finding.objects.exists()


def test_reimporting_the_same_file_through_the_pages_reports_already_there(world, client_for, confirm):
    client = client_for(world.alice)
    data = xlsx(row())
    post_file(client, world, data)
    confirm(client, ImportBatch.objects.get())

    post_file(client, world, data)
    second = ImportBatch.objects.filter(status=ImportStatus.PREVIEW).get()
    page = client.get(reverse("intake:preview", args=[second.pk])).content.decode()

    assert "已存在，跳过" in page
    assert "文件中的问题均已存在，无需导入。" in page
    assert Finding.objects.count() == 1


def test_while_the_worker_imports_the_page_says_so_and_refreshes(world, client_for):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()

    page = client.post(reverse("intake:confirm", args=[batch.pk]), follow=True).content.decode()
    again = client.post(reverse("intake:confirm", args=[batch.pk]), follow=True).content.decode()

    assert ImportBatch.objects.get().status == ImportStatus.IMPORTING
    assert 'id="import-running"' in page and '<meta http-equiv="refresh" content="3">' in page
    assert "该文件正在导入，请稍候刷新页面查看结果。" in again
    assert not Finding.objects.exists()


def test_the_person_who_confirmed_is_told_when_the_import_is_done(world, client_for, confirm):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()

    confirm(client, batch)

    note = Notification.objects.get(recipient=world.alice, kind="import_done")
    assert (note.title, note.body) == ("问题清单导入完成", "新建问题 1 个、整改措施 1 项。")
    assert note.url == reverse("intake:preview", args=[batch.pk])


def test_the_worker_task_repeated_after_the_import_committed_changes_nothing(world, client_for, confirm):
    """The broker hands a task out again when its worker died after the commit but before acknowledging it
    (tests/security/test_worker_killed.py does that with a real worker)."""
    from partyreview.intake.tasks import import_batch_run

    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    confirm(client, batch)

    import_batch_run(batch.pk, world.alice.pk)

    assert Finding.objects.count() == 1
    told = Notification.objects.filter(recipient=world.alice)
    assert list(told.values_list("kind", flat=True)) == ["import_done"], "no second message, and no failure"


def test_a_refusal_in_the_worker_keeps_nothing_and_shows_the_reason_on_the_preview(
    world, client_for, confirm, monkeypatch
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(), row(序号=2, 问题描述="另一个问题")))
    batch = ImportBatch.objects.get()
    # Between the check at confirmation and the worker's run, the branch is deactivated: a refusal.
    real = writer._refuse_unless_allowed

    def deactivate_first(actor, inspection, findings):
        Organization.objects.filter(pk=world.a1.pk).update(is_active=False)
        return real(actor, inspection, findings)

    monkeypatch.setattr(writer, "_refuse_unless_allowed", deactivate_first)

    page = confirm(client, batch).content.decode()

    batch.refresh_from_db()
    reason = "党组织“机关第一党支部”已不存在或已停用，未导入任何数据。"
    assert (batch.status, batch.error) == (ImportStatus.PREVIEW, reason)
    assert f"上次确认导入未成功：{reason}" in page
    assert not Finding.objects.exists()
    assert batch.file
    assert Notification.objects.filter(recipient=world.alice, kind="import_failed").exists()


@pytest.fixture
def planned(monkeypatch):
    """How many times a stored upload is planned (the planning itself still runs)."""
    calls = []
    real = services.import_batch_plan

    def counting(**kwargs):
        calls.append(kwargs["batch"].pk)
        return real(**kwargs)

    monkeypatch.setattr(services, "import_batch_plan", counting)
    return calls


def _confirm_in_steps(client, batch, django_capture_on_commit_callbacks, between):
    """Press 确认导入, then run what follows the commit one by one — the plan kept for the worker, then the
    worker — with ``between()`` in the moment after the plan is kept and before the worker starts."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("intake:confirm", args=[batch.pk]))
    keep, queue = callbacks
    keep()
    between()
    with django_capture_on_commit_callbacks(execute=True):
        queue()


def test_the_worker_imports_the_plan_the_confirmation_checked_without_planning_again(
    world, client_for, confirm, planned
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(), row(序号=1, 整改措施="第二项"), row(序号=2, 问题描述="另一个问题")))
    batch = ImportBatch.objects.get()

    confirm(client, batch)

    assert planned == [batch.pk], "planned once, by the confirmation's check"
    batch.refresh_from_db()
    assert (batch.status, batch.findings_created, batch.measures_created) == (ImportStatus.IMPORTED, 2, 3)
    assert cache.get(services._plan_key(batch, world.alice)) is None, "the kept plan goes with the import"


def test_the_confirmation_imports_the_plan_the_preview_showed_without_planning_again(
    world, client_for, confirm, planned
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(), row(序号=2, 问题描述="另一个问题")))
    batch = ImportBatch.objects.get()
    assert "将新建问题 2 个、整改措施 2 项" in client.get(reverse("intake:preview", args=[batch.pk])).content.decode()

    confirm(client, batch)

    assert planned == []
    batch.refresh_from_db()
    assert (batch.status, batch.findings_created, batch.measures_created) == (ImportStatus.IMPORTED, 2, 2)


def test_a_confirmation_more_than_ten_minutes_after_the_preview_plans_the_file_again(
    world, client_for, confirm, planned
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    client.get(reverse("intake:preview", args=[batch.pk]))

    later = timezone.now() + datetime.timedelta(seconds=services.PLAN_KEPT_SECONDS + 60)
    with time_machine.travel(later, tick=False):
        confirm(client, batch)

    assert planned == [batch.pk], "by the confirmation's check; the worker takes the plan it checked"
    assert Finding.objects.count() == 1


def test_a_worker_that_finds_no_kept_plan_plans_the_file_itself(
    world, client_for, planned, django_capture_on_commit_callbacks
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(), row(序号=2, 问题描述="另一个问题")))
    batch = ImportBatch.objects.get()

    _confirm_in_steps(client, batch, django_capture_on_commit_callbacks, between=cache.clear)

    assert planned == [batch.pk, batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.findings_created) == (ImportStatus.IMPORTED, 2)
    assert sorted(Finding.objects.values_list("description", flat=True)) == ["另一个问题", row()["问题描述"]]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda w: Category.objects.filter(name=row()["问题类别"]).update(is_active=False),
            f"问题类别“{row()['问题类别']}”已停用，未导入任何数据。",
        ),
        (
            lambda w: User.objects.filter(pk=w.mike.pk).update(is_active=False),
            "第3行：责任人“{mike}”不属于“机关第一党支部”，未导入任何数据。",
        ),
        (
            lambda w: Membership.objects.filter(user=w.alice).delete(),
            "您无权向该检查导入问题清单。",
        ),
    ],
    ids=["category stopped", "assignee left", "importer's role withdrawn"],
)
def test_what_changed_after_the_kept_plan_was_checked_refuses_the_import(
    world, client_for, django_capture_on_commit_callbacks, change, reason
):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()

    _confirm_in_steps(client, batch, django_capture_on_commit_callbacks, between=lambda: change(world))

    batch.refresh_from_db()
    assert (batch.status, batch.error) == (ImportStatus.PREVIEW, reason.format(mike=world.mike))
    assert not Finding.objects.exists() and not Rectification.objects.exists()
    assert cache.get(services._plan_key(batch, world.alice)) is None, "the next confirmation plans afresh"


def test_the_template_downloads_as_an_xlsx(world, client_for):
    response = client_for(world.alice).get(reverse("intake:template"), {"inspection": world.inspection.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")


# ---- who may do what: role × scope × action --------------------------------------------------------


def _preview_batch(world):
    return import_batch_create(
        actor=world.alice, inspection=world.inspection, upload=io.BytesIO(xlsx(row())), name="a.xlsx"
    )


ACTIONS = {
    "upload page": lambda world, batch: ("get", reverse("intake:start") + f"?inspection={world.inspection.pk}"),
    "template": lambda world, batch: ("get", reverse("intake:template")),
    "preview": lambda world, batch: ("get", reverse("intake:preview", args=[batch.pk])),
    "confirm": lambda world, batch: ("post", reverse("intake:confirm", args=[batch.pk])),
}
# The inspection is run by the committee: only committee staff (Alice) and the superuser may import into it.
# Gina is staff, but of general branch A only; she may open the upload page and template, not this inspection.
EXPECTED = {
    "alice": {"upload page": 200, "template": 200, "preview": 200, "confirm": 302},
    "root": {"upload page": 200, "template": 200, "preview": 200, "confirm": 302},
    "gina": {"upload page": 404, "template": 200, "preview": 404, "confirm": 404},
    "leo": {"upload page": 404, "template": 404, "preview": 404, "confirm": 404},
    "sam": {"upload page": 404, "template": 404, "preview": 404, "confirm": 404},
    "mike": {"upload page": 404, "template": 404, "preview": 404, "confirm": 404},
    "nobody": {"upload page": 404, "template": 404, "preview": 404, "confirm": 404},
}


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_staff_over_the_inspecting_organisation_reach_the_import(world, client_for, persona, action):
    batch = _preview_batch(world)
    method, url = ACTIONS[action](world, batch)

    response = getattr(client_for(getattr(world, persona)), method)(url)

    assert response.status_code == EXPECTED[persona][action]
    if action == "confirm" and response.status_code == 404:
        assert not Finding.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(reverse("intake:start"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- the command ------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_a_second_run_creates_nothing(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx(row(), row(序号=1, 整改措施="第二项"), row(序号=2, 问题描述="另一个问题")))
    out = io.StringIO()

    call_command("import_findings", str(path), inspection=world.inspection.pk, user="alice", stdout=out)
    call_command("import_findings", str(path), inspection=world.inspection.pk, user="alice", stdout=out)

    assert out.getvalue().splitlines() == [
        "导入完成：新建问题 2 个、整改措施 3 项。",
        "导入完成：新建问题 0 个、整改措施 0 项，2 个问题已存在，跳过。",
    ]
    assert (Finding.objects.count(), Rectification.objects.count()) == (2, 3)
    assert ImportBatch.objects.filter(status=ImportStatus.IMPORTED).count() == 2


def test_the_command_reports_every_error_and_imports_nothing(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx(row(), row(序号=2, 问题描述="乙", 整改措施=None)))

    with pytest.raises(CommandError) as failed:
        call_command("import_findings", str(path), inspection=world.inspection.pk, user="alice")

    assert str(failed.value) == "文件中有 1 处错误，未导入任何数据：\n第4行“整改措施”：缺少整改措施"
    assert not Finding.objects.exists()


def test_the_command_dry_run_writes_nothing(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx(row()))
    out = io.StringIO()

    call_command("import_findings", str(path), inspection=world.inspection.pk, user="alice", dry_run=True, stdout=out)

    assert "检查通过（未写入）：将新建问题 1 个、整改措施 1 项" in out.getvalue()
    assert not Finding.objects.exists()


def test_the_command_refuses_a_user_who_may_not_import(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx(row()))

    with pytest.raises(CommandError, match="您无权向该检查导入问题清单。"):
        call_command("import_findings", str(path), inspection=world.inspection.pk, user="gina")
    assert not Finding.objects.exists()


def test_the_command_prints_the_plan_as_one_json_object(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(
        xlsx(
            row(),
            row(序号=2, 问题描述="乙", 整改时限="每季度末", 整改类型=None, 责任人="查无此人", 问题类别="纪律建设"),
        )
    )
    out = io.StringIO()

    call_command(
        "import_findings", str(path), inspection=world.inspection.pk, user="alice", dry_run=True, json=True, stdout=out
    )

    data = json.loads(out.getvalue())
    assert set(data) == {"findings", "errors", "warnings"}
    first, second = data["findings"]
    assert {k: first[k] for k in ("row", "organization", "category", "description")} == {
        "row": 3,
        "organization": "机关第一党支部",
        "category": "meeting_lapses",
        "description": "支部未按期召开党员大会",
    }
    assert first["measures"] == [
        {
            "measure": "制定季度会议计划",
            "due_date": "2026-12-04",
            "kind": "deadline",
            "assignee": "mike",
            "department": "",
            "cadence": None,
        }
    ]
    assert (second["measures"][0]["kind"], second["measures"][0]["cadence"]) == ("long_term", "quarterly")
    assert second["measures"][0]["assignee"] is None  # 待指派: the ledger's person is unknown
    assert data["errors"] == []
    assert not Finding.objects.exists()


def test_the_command_prints_a_refused_file_as_json_too(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(b"not a workbook")
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_findings",
            str(path),
            inspection=world.inspection.pk,
            user="alice",
            dry_run=True,
            json=True,
            stdout=out,
        )

    assert json.loads(out.getvalue())["errors"][0]["message"].startswith("文件不是有效的 Excel 工作簿")


def test_the_import_page_shows_the_workers_progress(world, client_for):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.IMPORTING)
    services._report_progress(batch.pk, 3200, 5000)

    page = client.get(reverse("intake:preview", args=[batch.pk])).content.decode()

    assert "已导入 3,200 / 5,000 个问题（64%）" in page
    assert '<progress class="w-100" max="5000" value="3200"' in page


def test_keeping_split_measures_as_one_and_changing_a_category_are_kept_for_the_import(world, client_for, confirm):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row(整改措施="1.制定计划；2.按月督促")))
    batch = ImportBatch.objects.get()
    page = client.get(reverse("intake:preview", args=[batch.pk])).content.decode()
    assert "拆分 1/2" in page and "不拆分，作为一项措施" in page

    client.post(reverse("intake:choose", args=[batch.pk]), {"finding": "r3", "keep_whole": "1"})
    client.post(reverse("intake:choose", args=[batch.pk]), {"finding": "r3", "category": "integrity"})
    confirm(client, batch)

    finding = Finding.objects.get()
    assert finding.category.code == "integrity"
    assert list(finding.rectifications.values_list("measure", flat=True)) == ["1.制定计划；2.按月督促"]


def test_choices_outside_the_users_scope_are_not_found(world, client_for):
    post_file(client_for(world.alice), world, xlsx(row()))
    batch = ImportBatch.objects.get()

    response = client_for(world.gina).post(
        reverse("intake:choose", args=[batch.pk]), {"finding": "r3", "keep_whole": "1"}
    )

    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.choices == {}


def _ledger_rows(n: int, prefix: str) -> list[dict[str, object]]:
    """``n`` problems as a ledger mixes them: two branches, a broad area or a category, two measures in one
    cell, a person nobody knows, work done, a date in words."""
    return [
        row(
            序号=i + 1,
            党组织="机关第一党支部" if i % 2 else "生产第一党支部",
            问题类别="党的组织建设" if i % 3 else '"三会一课"落实不到位',
            问题描述=f"{prefix}第{i + 1}个问题：支部未按期召开党员大会",
            整改措施="1.制定计划；2.按期召开" if i % 4 == 0 else "制定季度会议计划",
            责任人=("mike" if i % 2 else "mona") if i % 5 else "查无此人",
            整改时限="2027年3月底前" if i % 2 else "2027-06-30",
        )
        for i in range(n)
    ]


def test_the_confirm_step_asks_the_database_as_often_for_500_problems_as_for_50(
    world, client_for, django_capture_on_commit_callbacks
):
    """Pressing 确认导入 and the worker's import together: a fixed number of statements, never one per row.
    Each person hears once of the whole import, however many measures are theirs."""
    client = client_for(world.alice)
    counts, notices = [], []
    for n in (50, 500):
        post_file(client, world, xlsx(*_ledger_rows(n, prefix=f"{n}：")))
        batch = ImportBatch.objects.latest("pk")
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("intake:confirm", args=[batch.pk]))
        batch.refresh_from_db()
        assert (batch.status, batch.findings_created) == (ImportStatus.IMPORTED, n)
        counts.append(len(queries))
        notices.append(sorted(Notification.objects.values_list("recipient__username", "kind")))

    assert notices[0] == notices[1]
    if connection.vendor == "postgresql":
        assert counts[0] == counts[1]
    else:
        # SQLite: Django splits a bulk insert into statements of at most 999 parameters, a few dozen more
        # statements for ten times the rows (one statement a row would be 450 more).
        assert counts[1] - counts[0] < 60
