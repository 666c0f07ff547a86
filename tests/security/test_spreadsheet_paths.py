"""Every spreadsheet import path refuses a hostile workbook in the same words, and none answers a damaged
one with a 500: the problem-list upload page, the roster and dues imports, ``manage.py import_findings``, and
the organisation and people imports (pages and commands).

Alice (staff) uploads problem lists for the committee's inspection; Sam keeps branch A1's roster and dues.
Each file is built from one the path would otherwise accept, so the refusal is about the hostility, not the
layout."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from partyreview.accounts.models import User
from partyreview.common import spreadsheets
from partyreview.inspections.models import Finding
from partyreview.intake.models import ImportBatch
from partyreview.organizations.models import Organization
from partyreview.orglife.imports import DUES_COLUMNS, MEMBER_COLUMNS
from partyreview.orglife.models import DuesPayment, PartyMember
from tests.common import hostile_workbooks as hostile
from tests.intake.template_workbooks import row, xlsx
from tests.organizations.workbooks import people_file, tree_file

MACROS = "工作簿含有宏，请在 Excel 中另存为普通的 .xlsx 文件后再导入。"
PASSWORD = "文件设置了密码保护，无法读取。请在 Excel 中取消密码后另存为 .xlsx 文件再导入。"
BOMB = "文件解压后过大（60.0 MB），疑似异常文件，未导入。"
CORRUPT = "文件已损坏（压缩内容与文件记录的不符），无法读取。请用 Excel 打开确认后另存为 .xlsx 再导入。"
UNREADABLE = "无法读取该工作簿，文件可能已损坏。请用 Excel 打开确认后另存为 .xlsx 再导入。"
HOSTILE = "工作簿含有不允许的 XML 内容（文档类型定义或实体），疑似异常文件，未导入。"


def roster_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(list(MEMBER_COLUMNS))
    for n in range(30):
        wb.active.append([f"党员{n}", "正式党员", "2010-07-01", "在支部", "", "否", ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def dues_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(list(DUES_COLUMNS))
    wb.active.append(["党员0", "2026-01", "2026-03", "60.00", "2026-01-10"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HOSTILE_FILES = {
    "macro-enabled": (hostile.macro_enabled, MACROS),
    "password-protected": (lambda _data: hostile.password_protected(), PASSWORD),
    "zip bomb": (hostile.zip_bomb, BOMB),
    "lying zip size": (hostile.lying_size, CORRUPT),
    "malformed sheet XML": (hostile.malformed_sheet_xml, UNREADABLE),
    "billion laughs": (hostile.billion_laughs, HOSTILE),
}


def _problem_list_page(world, client_for, data: bytes, tmp_path) -> str:
    response = client_for(world.alice).post(
        reverse("intake:start"),
        {"inspection": world.inspection.pk, "file": SimpleUploadedFile("问题清单.xlsx", data)},
    )
    assert response.status_code == 200  # the form again, with the reason under the file field
    return response.content.decode()


def _roster_page(world, client_for, data: bytes, tmp_path) -> str:
    response = client_for(world.sam).post(
        reverse("orglife:member_import", args=[world.a1.pk]),
        {"file": SimpleUploadedFile("名册.xlsx", data)},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def _dues_page(world, client_for, data: bytes, tmp_path) -> str:
    response = client_for(world.sam).post(
        reverse("orglife:dues_import", args=[world.a1.pk]), {"file": SimpleUploadedFile("党费.xlsx", data)}, follow=True
    )
    assert response.status_code == 200
    return response.content.decode()


def _command(world, client_for, data: bytes, tmp_path) -> str:
    path = tmp_path / "问题清单.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError) as refused:
        call_command("import_findings", str(path), "--inspection", str(world.inspection.pk), "--user", "alice")
    return str(refused.value)


def _tree_page(world, client_for, data: bytes, tmp_path) -> str:
    response = client_for(world.root).post(
        reverse("organizations:import_tree"), {"step": "upload", "file": SimpleUploadedFile("党组织.xlsx", data)}
    )
    assert response.status_code == 200
    return response.content.decode()


def _people_page(world, client_for, data: bytes, tmp_path) -> str:
    response = client_for(world.root).post(
        reverse("organizations:import_people"), {"step": "upload", "file": SimpleUploadedFile("人员.xlsx", data)}
    )
    assert response.status_code == 200
    return response.content.decode()


def _onboarding_command(name: str):
    def send(world, client_for, data: bytes, tmp_path) -> str:
        path = tmp_path / "导入.xlsx"
        path.write_bytes(data)
        with pytest.raises(CommandError) as refused:
            call_command(name, str(path))
        return str(refused.value)

    return send


PATHS = {
    "organisations page": (_tree_page, tree_file),
    "people page": (_people_page, people_file),
    "import_organizations command": (_onboarding_command("import_organizations"), tree_file),
    "import_users command": (_onboarding_command("import_users"), people_file),
    "problem list page": (_problem_list_page, lambda: xlsx(row())),
    "roster page": (_roster_page, roster_bytes),
    "dues page": (_dues_page, dues_bytes),
    "import_findings command": (_command, lambda: xlsx(row())),
}


@pytest.mark.parametrize("path_name", list(PATHS))
@pytest.mark.parametrize("hostility", list(HOSTILE_FILES))
def test_every_import_path_refuses_a_hostile_workbook_with_the_same_message(
    world, client_for, tmp_path, path_name, hostility
):
    send, valid = PATHS[path_name]
    build, message = HOSTILE_FILES[hostility]

    answer = send(world, client_for, build(valid()), tmp_path)

    assert message in answer
    assert not Finding.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not PartyMember.objects.exists()
    assert not DuesPayment.objects.exists()
    assert not Organization.objects.filter(code__startswith="D").exists()
    assert not User.objects.filter(username__startswith="E0").exists()


@pytest.mark.parametrize("path_name", list(PATHS))
def test_the_files_each_path_is_given_are_accepted_when_nothing_is_wrong(world, client_for, tmp_path, path_name):
    """The baseline: without the hostility the same file passes the reader on that path."""
    _send, valid = PATHS[path_name]

    assert spreadsheets.read_spreadsheet(valid()).sheets[0].rows


def test_the_roster_page_imports_the_unspoilt_file(world, client_for, tmp_path):
    page = _roster_page(world, client_for, roster_bytes(), tmp_path)

    assert "导入" in page
    assert PartyMember.objects.filter(organization=world.a1).count() == 30
