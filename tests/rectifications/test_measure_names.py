"""A measure is named by its own words wherever it is named: the review queue, the decision pages, the
workbench, notifications and escalations; never "机关第一党支部 · 整改措施 1". Alice is committee staff,
Sam the secretary of A1, Mike its assignee, Leo the committee's lead."""

import datetime
import re

from django.urls import reverse

from partyreview.accounts.models import Notification
from partyreview.common.text import headline
from partyreview.rectifications import services
from partyreview.rectifications.models import ExtensionRequest, Rectification

WORDS = "按季度制定“三会一课”计划并报党总支备案，逐次留存签到表和会议记录，每月由组织委员核对一次"


def worded(world, state: str, **kwargs) -> Rectification:
    r = world.rectification(world.a1, state=state, **kwargs)
    Rectification.objects.filter(pk=r.pk).update(measure=WORDS)
    return Rectification.objects.get(pk=r.pk)


def test_a_headline_is_the_first_words_on_one_line():
    assert headline("完善制度\n  落实责任") == "完善制度 落实责任"
    assert headline(WORDS) == WORDS[:29] + "…" and len(headline(WORDS)) == 30
    assert headline("短") == "短"


def test_the_review_queue_names_each_measure_by_its_words(world, client_for):
    r = worded(world, "submitted")
    page = client_for(world.alice).get(reverse("rectifications:review_queue")).content.decode()
    assert headline(WORDS) in page
    assert "整改措施 1" not in page and "· 整改措施" not in page
    assert reverse("rectifications:detail", args=[r.pk]) in page


def test_decision_pages_and_the_workbench_name_the_measure(world, client_for):
    r = worded(world, "submitted")
    client = client_for(world.alice)
    for page in (
        client.get(reverse("rectifications:close", args=[r.pk])).content.decode(),
        client.get(reverse("inspections:workbench")).content.decode(),
    ):
        assert headline(WORDS) in page
        assert not re.search(r"整改措施 \d", page)


def test_an_extension_decision_notice_says_which_measure_and_links_to_it(world, django_capture_on_commit_callbacks):
    r = worded(world, "in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        extension = services.extension_request(
            actor=world.sam, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=30), reason="待批复"
        )
        services.extension_decide(actor=world.alice, extension=extension, approve=True)
    notice = Notification.objects.get(recipient=world.sam, kind="extension_decided")
    assert notice.title == f"延期申请已批准：{headline(WORDS)}"
    assert notice.url == reverse("rectifications:detail", args=[r.pk])
    assert ExtensionRequest.objects.get().status == "approved"


def test_closing_returning_and_pressing_notices_name_the_measure(world, django_capture_on_commit_callbacks):
    returned = worded(world, "submitted")
    closed = worded(world, "submitted")
    open_one = worded(world, "in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        services.rectification_return(actor=world.alice, rectification=returned, reason="材料不全")
        services.rectification_close(actor=world.alice, rectification=closed, note="核查属实")
        services.escalation_create(actor=world.leo, rectification=open_one, instruction="月底前完成")
    titles = set(Notification.objects.filter(recipient=world.mike).values_list("title", flat=True))
    assert {f"整改被退回：{headline(WORDS)}", f"已销号：{headline(WORDS)}", f"督办：{headline(WORDS)}"} <= titles


def test_the_secretarys_groups_and_badges_agree(world, client_for):
    pending = world.rectification(world.a1, due_in=30)
    html = client_for(world.sam).get(reverse("rectifications:my_branch")).content.decode()
    group = html[html.index('data-group="rest"') :]
    assert "未到期" in group[:400]
    assert ">整改中<" not in group[:400]  # the group no longer claims a status its cards do not have
    assert f'href="{reverse("rectifications:detail", args=[pending.pk])}"' in group
    assert 'data-status="pending">待整改<' in group
