"""The import pages: upload → preview with every bad row → confirm, all or nothing, staff in scope only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from partyreview.accounts.models import Notification
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding
from partyreview.office import services
from partyreview.office.models import ImportBatch, ImportStatus
from partyreview.office.services import import_batch_create
from partyreview.rectifications.models import Rectification
from tests.office.workbooks import row, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "问题清单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def post_file(client, world, data: bytes, name: str = "问题清单.xlsx"):
    return client.post(reverse("office:import"), {"inspection": world.inspection.pk, "file": upload(data, name)})


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Press 确认导入 and let the worker run (Celery is eager in tests; it starts once the request commits)."""

    def press(client, batch):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("office:import_confirm", args=[batch.pk]))
        # Follow the redirect only now, after the worker ran, as a person reloading the page would.
        return client.get(response["Location"])

    return press


def test_staff_uploads_previews_and_imports(world, client_for, confirm):
    client = client_for(world.alice)

    response = post_file(client, world, xlsx(row(), row(序号=1, 整改措施="第二项"), row(序号=2)))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("office:import_preview", args=[batch.pk])
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
    post_file(client, world, xlsx(row(), row(序号=2, 党组织="不存在的支部", 整改时限="下个月")))
    batch = ImportBatch.objects.get()

    page = client.get(reverse("office:import_preview", args=[batch.pk])).content.decode()

    assert "错误 2 处" in page
    assert "<td>第4行</td><td>党组织</td><td>找不到党组织“不存在的支部”，请填写党组织名称或编码</td>" in page
    assert "<td>第4行</td><td>整改时限</td><td>“下个月”不是有效日期，请填写如 2026-03-31 的日期</td>" in page
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
    page = client.get(reverse("office:import_preview", args=[second.pk])).content.decode()

    assert "已存在，跳过" in page
    assert "文件中的问题均已存在，无需导入。" in page
    assert Finding.objects.count() == 1


def test_while_the_worker_imports_the_page_says_so_and_refreshes(world, client_for):
    client = client_for(world.alice)
    post_file(client, world, xlsx(row()))
    batch = ImportBatch.objects.get()

    page = client.post(reverse("office:import_confirm", args=[batch.pk]), follow=True).content.decode()
    again = client.post(reverse("office:import_confirm", args=[batch.pk]), follow=True).content.decode()

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
    assert note.url == reverse("office:import_preview", args=[batch.pk])


def test_the_worker_task_repeated_after_the_import_committed_changes_nothing(world, client_for, confirm):
    """The broker hands a task out again when its worker died after the commit but before acknowledging it
    (tests/security/test_worker_killed.py does that with a real worker)."""
    from partyreview.office.tasks import import_batch_run

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
    post_file(client, world, xlsx(row(), row(序号=2)))
    batch = ImportBatch.objects.get()
    # Between the check at confirmation and the worker's run, someone archives the way in: a refusal.
    real = services.finding_file
    calls = []

    def refuse_the_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ActionRefused("党组织已停用。")
        return real(**kwargs)

    monkeypatch.setattr(services, "finding_file", refuse_the_second)

    page = confirm(client, batch).content.decode()

    batch.refresh_from_db()
    assert (batch.status, batch.error) == (ImportStatus.PREVIEW, "第4行（序号 2）：党组织已停用。 未导入任何数据。")
    assert "上次确认导入未成功：第4行（序号 2）：党组织已停用。 未导入任何数据。" in page
    assert not Finding.objects.exists()
    assert batch.file
    assert Notification.objects.filter(recipient=world.alice, kind="import_failed").exists()


def test_the_template_downloads_as_an_xlsx(world, client_for):
    response = client_for(world.alice).get(reverse("office:import_template"), {"inspection": world.inspection.pk})

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
    "upload page": lambda world, batch: ("get", reverse("office:import") + f"?inspection={world.inspection.pk}"),
    "template": lambda world, batch: ("get", reverse("office:import_template")),
    "preview": lambda world, batch: ("get", reverse("office:import_preview", args=[batch.pk])),
    "confirm": lambda world, batch: ("post", reverse("office:import_confirm", args=[batch.pk])),
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
    response = client.get(reverse("office:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- the command ------------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_a_second_run_creates_nothing(world, tmp_path):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(xlsx(row(), row(序号=1, 整改措施="第二项"), row(序号=2)))
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
    path.write_bytes(xlsx(row(), row(序号=2, 问题类别="不存在的类别")))

    with pytest.raises(CommandError) as failed:
        call_command("import_findings", str(path), inspection=world.inspection.pk, user="alice")

    assert str(failed.value) == (
        "文件中有 1 处错误，未导入任何数据：\n第4行“问题类别”：问题类别“不存在的类别”不存在，请从下拉列表中选择"
    )
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
