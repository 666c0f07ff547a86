"""The import pages: upload → preview (nothing written) → confirm (all or nothing) → the initial
passwords, shown once. Root is the administrator; everyone else gets 404 (tests/security/test_url_table.py).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partyreview.accounts.models import User
from partyreview.organizations.models import Organization
from tests.organizations.workbooks import TREE_HEADER, people_file, people_rows, tree_file, xlsx

TREE = reverse("organizations:import_tree")
PEOPLE = reverse("organizations:import_people")


def _upload(client, url: str, data: bytes):
    return client.post(url, {"step": "upload", "file": SimpleUploadedFile("导入.xlsx", data)})


def _token(response) -> str:
    return response.context["token"]


def test_the_preview_writes_nothing_and_the_confirmation_imports_the_tree(world, client_for):
    admin = client_for(world.root)
    preview = _upload(admin, TREE, tree_file())
    page = preview.content.decode()
    assert "确认导入" in page and "新增 6" in page
    assert not Organization.objects.filter(code="D").exists()
    done = admin.post(TREE, {"step": "confirm", "token": _token(preview)})
    assert done.status_code == 200 and "导入党组织完成" in done.content.decode()
    assert Organization.objects.filter(code__startswith="D").count() == 6


def test_a_file_with_errors_shows_each_row_and_offers_no_confirmation(world, client_for):
    data = xlsx([TREE_HEADER[:4], ["示范党委", "D", "党委", ""], ["坏党支部", "D-X", "小组", "D"]])
    page = _upload(client_for(world.root), TREE, data).content.decode()
    assert "党组织类别“小组”无法识别" in page
    assert "确认导入" not in page and "未导入任何内容" in page


def test_people_get_their_initial_passwords_once_on_a_page_no_cache_keeps(world, client_for):
    admin = client_for(world.root)
    admin.post(TREE, {"step": "confirm", "token": _token(_upload(admin, TREE, tree_file()))})
    # By code: the persona world has branches of the same names.
    codes = {"机关第一党支部": "D-A-1", "机关党总支": "D-A", "生产第一党支部": "D-B-1", "机关第二党支部": "D-A-2"}
    rows = [[*r[:4], codes.get(r[4], r[4]), *r[5:]] for r in people_rows()]
    preview = _upload(admin, PEOPLE, people_file(rows))
    assert preview.context["plan"].ok
    done = admin.post(PEOPLE, {"step": "confirm", "token": _token(preview)})
    assert "no-store" in done["Cache-Control"]
    shown = done.context["result"].passwords
    assert len(shown) == 6 and shown[0].password in done.content.decode()
    again = admin.post(PEOPLE, {"step": "confirm", "token": _token(preview)}, follow=True)
    assert "上传的文件已失效，请重新上传。" in again.content.decode()
    assert User.objects.filter(username__startswith="E0").count() == 6


@pytest.mark.parametrize("token", ["", "0" * 32, "../../etc/passwd"])
def test_a_confirmation_without_this_sessions_upload_is_refused(world, client_for, token):
    response = client_for(world.root).post(TREE, {"step": "confirm", "token": token}, follow=True)
    assert "上传的文件已失效" in response.content.decode()
    assert not Organization.objects.filter(code="D").exists()


def test_staff_cannot_import(world, client_for):
    assert _upload(client_for(world.alice), TREE, tree_file()).status_code == 404
    assert not Organization.objects.filter(code="D").exists()
