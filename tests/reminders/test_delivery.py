"""Sending one delivery: e-mail and group robots, retries on transient errors, final errors recorded,
never twice; the robots' message formats and 钉钉's signature."""

import base64
import hashlib
import hmac
import smtplib
import urllib.parse

import pytest
from celery.exceptions import Retry
from django.core import mail

from partyreview.common.errors import ActionRefused
from partyreview.rectifications import services as rectification_services
from partyreview.reminders import channels, services, tasks
from partyreview.reminders.digests import Digest, DigestLine, DigestSection, webhook_markdown
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    OrgWebhook,
    ReminderItem,
    ReminderKind,
    SweepTrigger,
    WebhookScope,
)
from tests.reminders.conftest import START


@pytest.fixture
def mike_email(world, policy, clock, email_on) -> Delivery:
    """A pending e-mail delivery to Mike for one overdue measure (sweep run, tasks not run)."""
    world.rectification(due_in=-1)
    run = services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    return Delivery.objects.get(run=run, channel=Channel.EMAIL, recipient=world.mike)


def transient(message: str = "邮件服务器暂时拒收（451）") -> channels.SendError:
    return channels.SendError(message, transient=True)


def test_a_transient_failure_is_retried_until_the_mail_goes(mike_email, monkeypatch):
    real = channels.send_email
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) < 3:
            raise transient()
        real(**kwargs)

    monkeypatch.setattr(channels, "send_email", flaky)
    for attempt in (1, 2):
        with pytest.raises(services.RetryLater):
            services.delivery_send(delivery_id=mike_email.pk)
        mike_email.refresh_from_db()
        assert (mike_email.status, mike_email.attempts) == (DeliveryStatus.RETRYING, attempt)
        assert "451" in mike_email.last_error and mike_email.next_attempt_at is not None

    assert services.delivery_send(delivery_id=mike_email.pk) == DeliveryStatus.SENT
    mike_email.refresh_from_db()
    assert (mike_email.status, mike_email.attempts) == (DeliveryStatus.SENT, 3)
    assert len(mail.outbox) == 1


def test_a_permanent_failure_is_recorded_at_once(mike_email, monkeypatch):
    def refuse(**kwargs):
        raise channels.SendError("邮件服务器拒收（550）：mailbox unavailable", transient=False)

    monkeypatch.setattr(channels, "send_email", refuse)
    assert services.delivery_send(delivery_id=mike_email.pk) == DeliveryStatus.FAILED
    mike_email.refresh_from_db()
    assert mike_email.status == DeliveryStatus.FAILED and "550" in mike_email.last_error


def test_after_the_last_attempt_the_error_is_final(mike_email, monkeypatch, settings):
    settings.REMINDER_SEND_MAX_ATTEMPTS = 3
    monkeypatch.setattr(channels, "send_email", lambda **kwargs: (_ for _ in ()).throw(transient("超时")))
    for _ in range(2):
        with pytest.raises(services.RetryLater):
            services.delivery_send(delivery_id=mike_email.pk)
    assert services.delivery_send(delivery_id=mike_email.pk) == DeliveryStatus.FAILED
    mike_email.refresh_from_db()
    assert (mike_email.status, mike_email.attempts, mike_email.last_error) == (DeliveryStatus.FAILED, 3, "超时")


def test_an_unexpected_error_fails_the_delivery_without_touching_the_others(mike_email, world, monkeypatch):
    monkeypatch.setattr(services, "render_to_string", lambda *a, **k: 1 / 0)
    assert services.delivery_send(delivery_id=mike_email.pk) == DeliveryStatus.FAILED
    mike_email.refresh_from_db()
    # The status page says it in Chinese; the exception itself stays in the log.
    assert mike_email.last_error == "发生内部错误，详细信息见工作进程日志。"
    sam = Delivery.objects.get(channel=Channel.EMAIL, recipient=world.sam)
    assert sam.status == DeliveryStatus.PENDING


def test_a_delivery_is_sent_once_however_often_its_task_runs(mike_email):
    for _ in range(3):
        tasks.deliver_email.delay(mike_email.pk)
    assert len(mail.outbox) == 1
    mike_email.refresh_from_db()
    assert (mike_email.status, mike_email.attempts) == (DeliveryStatus.SENT, 1)


def test_a_measure_closed_before_the_mail_leaves_is_not_mailed(mike_email, world):
    r = ReminderItem.objects.filter(run=mike_email.run, recipient=world.mike).get().rectification
    rectification_services.rectification_record_progress(actor=world.mike, rectification=r, note="完成")
    from tests.factories import pdf_upload

    rectification_services.rectification_submit(actor=world.mike, rectification=r, summary="完成", files=[pdf_upload()])
    rectification_services.rectification_close(actor=world.alice, rectification=r, note="核查属实")
    assert services.delivery_send(delivery_id=mike_email.pk) == DeliveryStatus.SKIPPED
    assert mail.outbox == []


def test_the_send_tasks_retry_with_backoff_on_transient_errors_only(mike_email, monkeypatch, settings):
    for task in (tasks.deliver_email, tasks.deliver_webhook):
        assert task.autoretry_for == (services.RetryLater,)
        assert task.retry_backoff == settings.REMINDER_RETRY_BACKOFF_SECONDS
        assert task.retry_backoff_max == settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS
    monkeypatch.setattr(channels, "send_email", lambda **kwargs: (_ for _ in ()).throw(transient()))
    # Eagerly, Celery reports the scheduled retry by raising Retry.
    with pytest.raises(Retry):
        tasks.deliver_email.delay(mike_email.pk)


@pytest.mark.parametrize(
    ("error", "is_transient"),
    [
        (smtplib.SMTPDataError(451, b"try again later"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such user")}), False),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(421, b"too many connections"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
    ],
)
def test_smtp_errors_are_sorted_into_transient_and_final(error, is_transient):
    assert channels._smtp_error(error).transient is is_transient


# ---- group robots -----------------------------------------------------------------------------------


def test_wecom_gets_one_markdown_message_per_run(world, policy, clock, robot, django_capture_on_commit_callbacks):
    hook = OrgWebhook.objects.create(
        organization=world.committee, name="党委整改群", kind="wecom", url=robot.url("/cgi-bin/webhook/send")
    )
    a = world.rectification(due_in=-1)
    b = world.rectification(world.b1, due_in=0)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    assert len(robot.requests) == 1
    request = robot.requests[0]
    assert request.path == "/cgi-bin/webhook/send"
    assert set(request.payload) == {"msgtype", "markdown"} and request.payload["msgtype"] == "markdown"
    content = request.payload["markdown"]["content"]
    assert f"/rectifications/{a.pk}/" in content and f"/rectifications/{b.pk}/" in content
    assert '<font color="warning">逾期 1 天</font>' in content
    assert Delivery.objects.get(run=run, webhook=hook).status == DeliveryStatus.SENT


def test_dingtalk_is_signed_when_it_has_a_secret(world, policy, clock, robot, django_capture_on_commit_callbacks):
    secret = "SEC0123456789abcdef"
    OrgWebhook.objects.create(
        organization=world.a1,
        name="一支部群",
        kind="dingtalk",
        url=robot.url("/robot/send?access_token=abc"),
        secret=secret,
    )
    world.rectification(due_in=-1)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_sweep(day=START, trigger=SweepTrigger.COMMAND)
    request = robot.requests[0]
    assert request.query["access_token"] == "abc"
    timestamp = request.query["timestamp"]
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected  # parse_qsl undid the URL encoding
    assert request.payload["msgtype"] == "markdown"
    assert request.payload["markdown"]["title"].startswith("整改提醒")
    assert "已逾期" in request.payload["markdown"]["text"]


def test_dingtalk_signature_matches_the_documented_example():
    url = channels.dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", timestamp_ms=1577262236757
    )
    digest = hmac.new(b"SECabc", b"1577262236757\nSECabc", hashlib.sha256).digest()
    assert url == (
        "https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1577262236757&sign="
        + urllib.parse.quote_plus(base64.b64encode(digest))
    )


def test_webhook_scope_and_subtree_decide_what_a_group_receives(world, policy, sweep):
    committee = OrgWebhook.objects.create(
        organization=world.committee, name="党委群", kind="wecom", url="http://127.0.0.1:9/"
    )
    escalations = OrgWebhook.objects.create(
        organization=world.a1,
        name="一支部督办",
        kind="dingtalk",
        url="http://127.0.0.1:9/",
        scope=WebhookScope.ESCALATION,
    )
    b_group = OrgWebhook.objects.create(
        organization=world.general_b, name="生产总支群", kind="wecom", url="http://127.0.0.1:9/"
    )
    OrgWebhook.objects.create(
        organization=world.committee, name="停用", kind="wecom", url="http://127.0.0.1:9/", is_active=False
    )
    world.rectification(due_in=0)

    items = lambda run, hook: sorted(ReminderItem.objects.filter(run=run, webhook=hook).values_list("kind", "offset"))  # noqa: E731
    day_seven = sweep(7)
    assert items(day_seven, committee) == [(ReminderKind.ESCALATION_LEADER, 7), (ReminderKind.OVERDUE, 4)]
    assert items(day_seven, escalations) == [(ReminderKind.ESCALATION_LEADER, 7)]
    assert items(day_seven, b_group) == []
    assert ReminderItem.objects.filter(webhook__is_active=False).count() == 0


def test_no_webhook_claims_when_the_policy_switches_robots_off(world, policy, sweep):
    policy.webhooks_enabled = False
    policy.save()
    OrgWebhook.objects.create(organization=world.committee, name="党委群", kind="wecom", url="http://127.0.0.1:9/")
    world.rectification(due_in=-1)
    assert not ReminderItem.objects.filter(run=sweep(0), webhook__isnull=False).exists()


@pytest.mark.parametrize(
    ("status", "answer", "is_transient"),
    [
        (200, {"errcode": 310000, "errmsg": "sign not match"}, False),
        (200, {"errcode": 45009, "errmsg": "api freq out of limit"}, True),
        (200, {"errcode": 130101, "errmsg": "send too fast"}, True),
        (500, {"errcode": -1}, True),
        (404, {}, False),
    ],
)
def test_robot_refusals(robot, status, answer, is_transient):
    robot.status, robot.answer = status, answer
    with pytest.raises(channels.SendError) as refused:
        channels.post_webhook(kind="dingtalk", url=robot.url(), secret="", title="t", markdown="m")
    assert refused.value.transient is is_transient


def test_an_unreachable_robot_is_a_transient_error():
    with pytest.raises(channels.SendError) as refused:
        channels.post_webhook(kind="wecom", url="http://127.0.0.1:9/unreachable", secret="", title="t", markdown="m")
    assert refused.value.transient


def test_wecom_markdown_stays_under_4096_bytes_and_says_what_it_left_out():
    lines = [
        DigestLine(
            rectification_id=i,
            kind=ReminderKind.OVERDUE,
            inspection="2026年巡察",
            organization=f"第{i}党支部",
            measure="按期召开支部党员大会并完善会议记录，" * 5,
            assignee="马可",
            due_date=START,
            days_left=-3,
            url=f"http://127.0.0.1:8000/rectifications/{i}/",
        )
        for i in range(300)
    ]
    digest = Digest(day=START, sections=[DigestSection(kind=ReminderKind.OVERDUE, title="已逾期", lines=lines)])
    _title, text = webhook_markdown(digest, kind="wecom", organization="测试党委")
    assert len(text.encode()) <= 4096
    assert "……另有" in text and "项未列出" in text
    assert "已逾期 300 项" in text


def test_an_administrator_sends_a_test_message_to_a_robot(world, robot):
    good = OrgWebhook.objects.create(organization=world.committee, name="党委群", kind="dingtalk", url=robot.url())
    services.webhook_send_test(actor=world.root, webhook=good)
    assert robot.requests[0].payload["markdown"]["title"].startswith("整改提醒")

    robot.answer = {"errcode": 310000, "errmsg": "keywords not in content"}
    with pytest.raises(ActionRefused, match="keywords not in content"):
        services.webhook_send_test(actor=world.root, webhook=good)
    with pytest.raises(ActionRefused):
        services.webhook_send_test(actor=world.alice, webhook=good)


def test_the_admin_action_reports_each_robot(world, robot, client_for):
    hook = OrgWebhook.objects.create(organization=world.committee, name="党委群", kind="wecom", url=robot.url())
    response = client_for(world.root).post(
        "/admin/reminders/orgwebhook/", {"action": "send_test", "_selected_action": [hook.pk]}, follow=True
    )
    assert "测试消息已发送" in response.content.decode()
    assert len(robot.requests) == 1


PLANTED = "[点此查看](http://evil.example/phish) ![x](http://evil.example/a.png) <a href='http://evil.example'>链接</a>"


def planted_line(**fields) -> DigestLine:
    values = {
        "rectification_id": 7,
        "kind": ReminderKind.OVERDUE,
        "inspection": "2026年巡察",
        "organization": "第一党支部",
        "measure": "按期召开支部党员大会",
        "assignee": "马可",
        "due_date": START,
        "days_left": -3,
        "url": "http://127.0.0.1:8000/rectifications/7/",
    }
    return DigestLine(**(values | fields))


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
@pytest.mark.parametrize("field", ["measure", "organization", "assignee"])
def test_a_link_planted_in_a_measure_is_plain_text_in_a_robot_message(kind, field):
    digest = Digest(
        day=START,
        sections=[
            DigestSection(kind=ReminderKind.OVERDUE, title="已逾期", lines=[planted_line(**{field: PLANTED[:38]})])
        ],
    )
    _title, text = webhook_markdown(digest, kind=kind, organization="测试党委")
    assert "evil.example" in text  # the words are still there for the reader…
    assert "](http" not in text.replace("](http://127.0.0.1:8000/", "")  # …but only our own links are links
    assert "http://evil" not in text and "[点此查看]" not in text and "<a " not in text
    assert "［点此查看］（http：//evil.example" in text


def test_the_organisation_in_a_robot_heading_cannot_start_markup():
    digest = Digest(
        day=START, sections=[DigestSection(kind=ReminderKind.OVERDUE, title="已逾期", lines=[planted_line()])]
    )
    _title, text = webhook_markdown(digest, kind="wecom", organization="党委**\n# 假标题 [x](http://evil.example)")
    assert "\n# 假标题" not in text and "http://evil" not in text
    assert "**党委＊＊ ＃ 假标题 ［x］（http：//evil.example）**及下级" in text


def test_markdown_text_turns_every_control_character_into_its_full_width_twin():
    from partyreview.reminders.digests import markdown_text

    assert (
        markdown_text("[a](b) <i> *c* _d_ `e` #f !g ~h |i \\j")
        == "［a］（b） ＜i＞ ＊c＊ ＿d＿ ｀e｀ ＃f ！g ～h ｜i ＼j"
    )
    assert markdown_text("整改措施：完善制度") == "整改措施：完善制度"
