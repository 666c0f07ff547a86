"""The secretary of 办公室党支部 works from a phone (390 × 844): she adds the records staff asked for to a
returned measure and asks for 销号 again, tries a fake photo on the overdue one and then sends real
evidence; staff close both on a desktop; the finding shows closed; another branch's secretary gets 404.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from partyreview.inspections.models import Finding
from partyreview.rectifications.models import Evidence, Rectification

# Like every browser test: the live server's data is flushed after each test and the migrated rows
# restored, so tests of either kind may follow each other in any order.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE_WIDTH = 390
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
FAKE_PHOTO = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def _file(name: str, body: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": body}


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px"


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _restore_standard_categories() -> None:
    """The live server's transactional database is flushed after each test, which also drops the
    categories the data migration wrote; run that migration's own step again (it is idempotent)."""
    migration = importlib.import_module("partyreview.inspections.migrations.0002_standard_categories")
    migration.seed(django_apps, None)


@pytest.fixture
def office_finding(live_server) -> Finding:
    _restore_standard_categories()
    call_command("seed_demo", force=True)
    finding = Finding.objects.get(
        inspection__title="2026年第二轮党委巡察", organization__name="办公室党支部", category__code="meeting_lapses"
    )
    assert [r.status for r in finding.rectifications.order_by("number")] == ["in_progress", "returned"]
    return finding


def test_secretary_reports_on_a_phone_and_staff_close(
    live_server, browser, phone_page, page, login, screenshot, office_finding
):
    base = live_server.url
    overdue, returned = office_finding.rectifications.order_by("number")
    phone = phone_page

    # Home: the returned measure comes first, with the staff's reason.
    login(phone, live_server, "secretary")
    assert phone.url == f"{base}/rectifications/my-branch/"
    groups = phone.locator("[data-group]").evaluate_all("els => els.map(e => e.dataset.group)")
    # The returned measure comes first; the demo's 长期坚持 measures due a period report may stand before the
    # overdue ones (定期报告待报), which follow.
    assert groups[0] == "returned"
    assert "overdue" in groups
    assert "缺少会议记录和签到表" in phone.locator('[data-group="returned"]').inner_text()
    assert "逾期 10 天" in phone.locator('[data-group="overdue"]').inner_text()
    _fits_the_phone(phone)
    screenshot(phone, "secretary-home")

    # The returned measure: add the missing records, then ask for 销号 again.
    phone.locator(f'[data-group="returned"] a[href="/rectifications/{returned.pk}/"]').click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".return-reason").first.is_visible()
    _fits_the_phone(phone)
    screenshot(phone, "secretary-detail")

    phone.get_by_role("link", name="填报进展、上传佐证").click()
    phone.fill("#id_note", "已补齐三次支委会会议记录和签到表，见附件。")
    phone.set_input_files(
        "#id_files",
        [_file("支委会会议记录.pdf", PDF, "application/pdf"), _file("签到表.png", PNG, "image/png")],
    )
    assert phone.locator("[data-evidence-list] li").count() == 2
    _fits_the_phone(phone)
    screenshot(phone, "secretary-progress")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存进展").click()
    assert "整改进展已保存" in phone.content()
    assert sorted(Evidence.objects.filter(rectification=returned).values_list("original_name", flat=True)) == [
        "支委会会议记录.pdf",
        "整改佐证材料.pdf",
        "整改方案.pdf",
        "签到表.png",
    ]

    phone.get_by_role("link", name="申请销号").click()
    phone.fill("#id_summary", "已按退回意见补充会议记录和签到表，“三会一课”计划已报党总支备案。")
    _fits_the_phone(phone)
    screenshot(phone, "secretary-submit")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交销号申请").click()
    assert phone.locator(".read-only-notice").is_visible()
    assert phone.get_by_role("link", name="填报进展、上传佐证").count() == 0
    _fits_the_phone(phone)
    screenshot(phone, "secretary-submitted")

    # The overdue measure: a web page named .jpg is refused beside the field and nothing is kept.
    _open(phone, f"{base}/rectifications/my-branch/")
    phone.locator(f'[data-group="overdue"] a[href="/rectifications/{overdue.pk}/"]').click()
    phone.get_by_role("link", name="申请销号").click()
    phone.fill("#id_summary", "“三会一课”计划已制定并报备，签到表和记录逐次留存。")
    evidence_before = Evidence.objects.count()
    phone.set_input_files("#id_files", [_file("会议照片.jpg", FAKE_PHOTO, "image/jpeg")])
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交销号申请").click()
    errors = phone.locator("#id_files_errors")
    assert "会议照片.jpg" in errors.inner_text()
    assert "类型不被允许" in errors.inner_text()
    assert Evidence.objects.count() == evidence_before
    assert Rectification.objects.get(pk=overdue.pk).status == "in_progress"
    _fits_the_phone(phone)
    screenshot(phone, "secretary-upload-error")

    phone.set_input_files("#id_files", [_file("三会一课计划.pdf", PDF, "application/pdf")])
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交销号申请").click()
    assert phone.locator(".read-only-notice").is_visible()

    # Staff, on a desktop in their own session, close both from the rectification page.
    login(page, live_server, "staff")
    for measure in (returned, overdue):
        _open(page, f"{base}/rectifications/{measure.pk}/")
        page.fill("#staff-review-text", "经查阅会议记录和签到表，整改到位，同意销号。")
        with page.expect_navigation():
            # 核查通过，销号 — or, for a 长期坚持 measure, 核查通过，阶段性销号（长期坚持）.
            page.locator(".review-form button[type=submit]", has_text="核查通过").click()
        assert Rectification.objects.get(pk=measure.pk).status == "closed"

    # The finding shows closed, on the secretary's phone too; the measures moved to the closed tab.
    _open(phone, f"{base}/inspections/findings/{office_finding.pk}/")
    assert phone.locator('[data-finding-status="closed"]').is_visible()
    _fits_the_phone(phone)
    _open(phone, f"{base}/rectifications/my-branch/?show=closed")
    closed_tab = phone.locator(".branch-list").inner_text()
    assert "按季度制定“三会一课”计划" in closed_tab
    _fits_the_phone(phone)
    screenshot(phone, "secretary-closed")

    # Another branch's secretary: the measure and its files do not exist for them.
    context = browser.new_context(locale="zh-CN", viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True)
    try:
        other = context.new_page()
        login(other, live_server, "secretary2")
        assert other.goto(f"{base}/rectifications/{overdue.pk}/").status == 404
        evidence = Evidence.objects.filter(rectification=overdue).first()
        assert other.goto(f"{base}/rectifications/evidence/{evidence.pk}/").status == 404
        assert other.goto(f"{base}/rectifications/{overdue.pk}/progress/").status == 404
    finally:
        context.close()

    assert phone.console_errors == []
    assert page.console_errors == []


def test_extension_form_on_a_phone(live_server, phone_page, login, screenshot, office_finding):
    base = live_server.url
    overdue = office_finding.rectifications.get(number=1)
    login(phone_page, live_server, "secretary")
    _open(phone_page, f"{base}/rectifications/{overdue.pk}/")
    phone_page.get_by_role("link", name="申请延期").click()
    # A date not later than the deadline is refused beside the field.
    phone_page.fill("#id_new_due_date", overdue.due_date.isoformat())
    phone_page.fill("#id_reason", "涉及支委调整，需待党总支批复。")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="提交延期申请").click()
    assert "须晚于当前整改时限" in phone_page.locator("#id_new_due_date").locator("..").inner_text()
    _fits_the_phone(phone_page)
    screenshot(phone_page, "secretary-extension")
    assert phone_page.console_errors == []


def test_several_camera_photos_and_a_removed_file(live_server, phone_page, login, office_finding):
    """Each tap on 拍照上传 keeps its photo; a wrongly chosen file can be taken out before sending."""
    base = live_server.url
    overdue = office_finding.rectifications.get(number=1)
    before = set(Evidence.objects.filter(rectification=overdue).values_list("pk", flat=True))
    login(phone_page, live_server, "secretary")
    _open(phone_page, f"{base}/rectifications/{overdue.pk}/progress/")
    phone_page.fill("#id_note", "拍摄了两页会议记录。")
    camera = phone_page.locator(".evidence-camera input[data-camera]")
    camera.set_input_files([_file("photo-1.png", PNG, "image/png")])
    camera.set_input_files([_file("photo-2.png", PNG, "image/png")])
    phone_page.set_input_files(
        "#id_files", [_file("计划.pdf", PDF, "application/pdf"), _file("选错了.pdf", PDF, "application/pdf")]
    )
    items = phone_page.locator("[data-evidence-list] li")
    assert items.count() == 4
    items.filter(has_text="选错了.pdf").get_by_role("button", name="移除").click()
    assert items.count() == 3
    _fits_the_phone(phone_page)
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="保存进展").click()
    assert "整改进展已保存" in phone_page.content()
    added = Evidence.objects.filter(rectification=overdue).exclude(pk__in=before)
    assert sorted(added.values_list("original_name", flat=True)) == ["photo-1.png", "photo-2.png", "计划.pdf"]
    assert phone_page.console_errors == []


def test_the_secretary_files_a_long_term_measures_period_report_on_a_phone(
    live_server, phone_page, login, screenshot, office_finding
):
    """刘洋 (第一车间党支部) reports the quarter of a 长期坚持 measure; the next report is due a period later."""
    base = live_server.url
    kept_up = (
        Rectification.objects.kept_up()
        .filter(responsible_org__name="第一车间党支部", measure__startswith="每季度在车间生产例会上")
        .exclude(status="submitted")
        .order_by("report_due_on", "pk")
        .first()
    )
    due_before = kept_up.report_due_on
    login(phone_page, live_server, "secretary2")
    _open(phone_page, f"{base}/rectifications/{kept_up.pk}/")
    phone_page.get_by_role("link", name=f"填报定期报告（本期截至 {due_before:%Y-%m-%d}）").click()
    phone_page.wait_for_load_state("networkidle")
    assert "长期坚持 · 每季度报告一次" in phone_page.locator(".period-cadence").inner_text()
    phone_page.fill("#id_note", "本季度三次车间生产例会均通报了党建工作进展，会议纪要附后。")
    phone_page.set_input_files("#id_files", [_file("例会纪要.pdf", PDF, "application/pdf")])
    _fits_the_phone(phone_page)
    screenshot(phone_page, "secretary-period-report")
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="保存定期报告").click()
    phone_page.wait_for_load_state("networkidle")
    assert "定期报告已保存" in phone_page.content()
    kept_up.refresh_from_db()
    assert kept_up.report_due_on > due_before
    assert kept_up.progress_updates.filter(note__startswith="本季度三次车间生产例会").exists()
    assert phone_page.console_errors == []
