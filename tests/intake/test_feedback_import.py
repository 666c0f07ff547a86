"""反馈意见导入：a pasted or uploaded feedback document goes through the same batch, preview choices, plan
and all-or-nothing writer as a ledger; the preview's choices (organisation, category, merge, split,
measures) are kept and applied on every planning."""

import io
import json

import pytest
from django.core.management import call_command

from partyreview.inspections.models import Category, Finding
from partyreview.intake import services
from partyreview.intake.models import ImportBatch
from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.rectifications.measure_library import STANDARD_MEASURES, ensure_standard_measures
from partyreview.rectifications.models import Rectification, StandardMeasure

pytestmark = pytest.mark.django_db

FEEDBACK = """关于对机关第一党支部巡察情况的反馈意见
现将巡察发现的问题反馈如下：
（一）党的组织建设方面
1.党费收缴不规范。3名党员连续6个月未交纳党费。支部未建立党费台账。
2.支部委员会任期届满未换届。
（二）作风建设方面　一是文山会海问题突出；二是调查研究走马观花。
二、整改意见建议
请支部认真整改。
党委第一巡察组
2026年10月15日
"""


@pytest.fixture
def library(inspection):
    ensure_standard_measures(Category, StandardMeasure)
    return inspection


def paste(world, inspection, text: str = FEEDBACK) -> ImportBatch:
    return services.import_batch_create(
        actor=world.alice, inspection=inspection, upload=io.BytesIO(text.encode()), name="粘贴的反馈意见.txt"
    )


def plan_of(world, batch: ImportBatch):
    batch.refresh_from_db()
    return services.import_batch_plan(actor=world.alice, batch=batch)


def test_a_pasted_feedback_plans_one_finding_per_problem_with_a_library_measure(world, library):
    batch = paste(world, library)
    services.import_batch_choose(actor=world.alice, batch=batch, choices={"organization": world.a1.code})

    plan = plan_of(world, batch)

    assert plan.errors == []
    assert [f.category.code for f in plan.findings] == ["dues_arrears", "election_overdue", "work_style", "work_style"]
    assert plan.findings[0].description == "党费收缴不规范。3名党员连续6个月未交纳党费。支部未建立党费台账。"
    assert [f.key for f in plan.findings] == ["r4-1", "r5-2", "r6-3", "r6-4"]
    assert {f.organization for f in plan.findings} == {world.a1}
    assert plan.findings[0].measures[0].measure == STANDARD_MEASURES["dues_arrears"][0][0]
    assert plan.findings[0].measures[0].kind == "immediate"
    assert plan.findings[0].measures[0].assignee == world.sam  # 待指派 to the branch secretary
    assert [p.number for p in plan.left_out] == [1, 2, 7, 8, 9, 10]
    assert plan.as_json()["left_out"][2] == {
        "row": 7,
        "text": "二、整改意见建议",
        "reason": "非问题部分：二、整改意见建议",
    }


def test_with_several_inspected_organisations_the_user_is_asked_first(world, library):
    plan = plan_of(world, paste(world, library))
    assert [(e.row, e.column) for e in plan.errors] == [(0, "党组织")]
    with pytest.raises(Exception, match="处错误"):
        services.import_batch_queue(actor=world.alice, batch=paste(world, library))


def test_the_only_inspected_organisation_is_taken_without_asking(world, library):
    library.inspected_orgs.set([world.b1])
    plan = plan_of(world, paste(world, library))
    assert plan.errors == []
    assert {f.organization for f in plan.findings} == {world.b1}


def test_preview_choices_merge_split_organisation_category_and_measures(world, library):
    batch = paste(world, library)
    chosen = [STANDARD_MEASURES["work_style"][1][0], "班子成员每季度到基层调研一次。"]
    services.import_batch_choose(
        actor=world.alice,
        batch=batch,
        choices={
            "organization": world.a1.code,
            "organizations": {"r5-2": world.b1.code},
            "categories": {"r6-3": "supervision"},
            "merge": ["r6-4"],
            "split": ["r4-1"],
            "measures": {"r6-3": chosen},
        },
    )

    plan = plan_of(world, batch)

    assert [f.description for f in plan.findings] == [
        "党费收缴不规范",
        "3名党员连续6个月未交纳党费",
        "支部未建立党费台账",
        "支部委员会任期届满未换届",
        "文山会海问题突出。调查研究走马观花。",
    ]
    assert plan.errors == []
    assert plan.findings[3].organization == world.b1
    assert plan.findings[4].category.code == "supervision"
    assert [m.measure for m in plan.findings[4].measures] == chosen


def test_confirming_imports_every_problem_all_or_nothing(world, library):
    batch = paste(world, library)
    services.import_batch_choose(actor=world.alice, batch=batch, choices={"organization": world.a1.code})
    batch.refresh_from_db()

    result = services.import_batch_confirm(actor=world.alice, batch=batch)

    assert result.findings_created == 4
    assert Finding.objects.filter(inspection=library, organization=world.a1).count() == 4
    assert Rectification.objects.filter(finding__inspection=library).count() == 4
    assert (
        Finding.objects.filter(description__startswith="支部委员会任期届满").get().category.code == "election_overdue"
    )


def test_a_docx_upload_goes_the_same_way(world, library):
    import docx

    document = docx.Document()
    for line in FEEDBACK.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    batch = services.import_batch_create(
        actor=world.alice, inspection=library, upload=io.BytesIO(buffer.getvalue()), name="反馈意见.docx"
    )
    assert batch.is_document
    assert len(plan_of(world, batch).findings) == 4


def test_a_document_without_problems_is_refused_whole(world, library):
    with pytest.raises(Exception, match="文档中没有找到问题"):
        services.findings_plan_file(actor=world.alice, inspection=library, data="特此通知。".encode())


def test_the_command_prints_a_documents_plan_as_json(world, library, tmp_path, capsys):
    path = tmp_path / "反馈意见.txt"
    path.write_bytes(FEEDBACK.encode("gbk"))
    library.inspected_orgs.set([world.a1])

    call_command(
        "import_findings", str(path), "--inspection", str(library.pk), "--user", "alice", "--dry-run", "--json"
    )

    plan = json.loads(capsys.readouterr().out)
    assert [f["category"] for f in plan["findings"]] == ["dues_arrears", "election_overdue", "work_style", "work_style"]
    assert plan["findings"][0]["organization"] == world.a1.name
    assert plan["errors"] == []
    assert len(plan["left_out"]) == 6
    assert Finding.objects.filter(inspection=library).count() == 0


def test_alice_pastes_in_the_browser_form_and_changes_a_category(world, library, client):
    client.force_login(world.alice)
    response = client.post("/intake/", {"inspection": library.pk, "text": FEEDBACK})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert batch.original_name == "粘贴的反馈意见.txt"

    client.post(f"/intake/{batch.pk}/choose/", {"organization_all": world.a1.code})
    client.post(f"/intake/{batch.pk}/choose/", {"finding": "r6-3", "category": "supervision"})
    page = client.get(f"/intake/{batch.pk}/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "未导入的部分 6 段" in content
    assert "与上一个问题合并" in content
    assert page.context["plan"].findings[2].category.code == "supervision"
    # The first measure follows the category the user chose, from its part of the library.
    assert page.context["plan"].findings[2].measures[0].measure == STANDARD_MEASURES["supervision"][0][0]
    assert STANDARD_MEASURES["dues_arrears"][1][0] in content


def test_an_organisation_outside_the_users_scope_is_refused(world, library, client):
    elsewhere = Organization.objects.create(name="其他党委", code="X", kind=OrganizationKind.COMMITTEE)
    batch = paste(world, library)
    client.force_login(world.alice)

    response = client.post(f"/intake/{batch.pk}/choose/", {"organization_all": elsewhere.code}, follow=True)

    batch.refresh_from_db()
    assert "organization" not in batch.choices
    assert "请选择本次检查范围内、您管理的党组织" in response.content.decode()


def test_pasting_junk_or_nothing_is_refused_in_chinese(world, library, client):
    client.force_login(world.alice)
    empty = client.post("/intake/", {"inspection": library.pk, "text": "   "})
    junk = client.post("/intake/", {"inspection": library.pk, "text": "\x01\x02\x03\x04" * 50})
    assert "请选择要上传的文件，或粘贴反馈意见文本" in empty.content.decode()
    assert "不是文本文件" in junk.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_docx_with_prose_and_a_ledger_table_plans_both(world, library):
    import docx

    document = docx.Document()
    document.add_paragraph("现将巡察发现的问题反馈如下：")
    document.add_paragraph("1.支委会未按月召开。2026年上半年仅召开2次。")
    table = document.add_table(rows=3, cols=3)
    for row, texts in enumerate(
        [
            ["问题描述", "整改措施", "整改时限"],
            ["党费收缴不规范", "逐一谈话提醒，限期补交", "2027年3月底前"],
            ["", "建立党费台账", "立行立改"],
        ]
    ):
        for column, text in enumerate(texts):
            table.cell(row, column).text = text
    table.cell(1, 0).merge(table.cell(2, 0))
    buffer = io.BytesIO()
    document.save(buffer)
    library.inspected_orgs.set([world.a1])

    plan = services.findings_plan_file(actor=world.alice, inspection=library, data=buffer.getvalue())

    assert plan.errors == []
    assert [f.category.code for f in plan.findings] == ["meeting_lapses", "dues_arrears"]
    assert [m.measure for m in plan.findings[1].measures] == ["逐一谈话提醒，限期补交", "建立党费台账"]
    assert [m.kind for m in plan.findings[1].measures] == ["deadline", "immediate"]
    assert plan.findings[1].measures[0].due_date.isoformat() == "2027-03-31"


def test_a_document_uploaded_without_its_suffix_is_still_shown_as_a_document(world, library):
    batch = services.import_batch_create(
        actor=world.alice, inspection=library, upload=io.BytesIO(FEEDBACK.encode("gbk")), name="反馈意见"
    )
    assert batch.original_name == "反馈意见.txt"
    assert batch.is_document
