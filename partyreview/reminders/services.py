"""The reminder sweep, the sending of each delivery, and the small writes around them.

Exactly once, in order (docs/decisions/reminders-exactly-once.md):
1. the sweep inserts a ReminderItem per owed reminder with ``ignore_conflicts``; the unique key makes an
   insert of an already claimed reminder a no-op, so the items a run reads back as its own are exactly
   the ones nobody sent before;
2. in the same transaction it writes one in-app notification and one Delivery per recipient and channel;
3. after commit it queues one Celery task per e-mail or webhook delivery; the task moves the row from
   pending to sending with a conditional UPDATE, so a task delivered twice sends once.
"""

import datetime
import json
import logging
from collections import defaultdict
from itertools import islice

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from partyreview.accounts.models import User
from partyreview.accounts.services import NewNotification, notification_create_many
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.reminders import channels, selectors
from partyreview.reminders.digests import (
    Digest,
    absolute,
    build_digest,
    notification_text,
    summary_links,
    webhook_markdown,
)
from partyreview.reminders.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    OrgWebhook,
    ReminderItem,
    ReminderKind,
    ReminderPolicy,
    SweepRun,
    SweepStatus,
    SweepTrigger,
)
from partyreview.reminders.permissions import can_manage_reminders, can_run_sweep

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "reminder"


class RetryLater(Exception):
    """Raised by ``delivery_send`` after a transient failure; the Celery task retries on it with backoff."""


def email_channel_on(policy: ReminderPolicy) -> bool:
    """The deployment must have a mail server (REMINDER_EMAIL_ENABLED) and the administrator must not
    have switched e-mail off in the policy; each person can still opt out for themselves."""
    return bool(settings.REMINDER_EMAIL_ENABLED and policy.email_enabled)


# ---- the sweep --------------------------------------------------------------------------------------


def reminders_sweep(
    *, day: datetime.date | None = None, trigger: str = SweepTrigger.SCHEDULE, actor: User | None = None
) -> SweepRun | None:
    """Claim and digest every reminder owed on ``day`` (default today, Asia/Shanghai).

    Safe to run any number of times, from any number of processes: what was claimed before is never sent
    again. A scheduled run returns None when the day's sweep already finished.
    """
    day = day or local_today()
    started = timezone.now()
    ReminderPolicy.load()
    try:
        with transaction.atomic():
            # Sweeps queue up behind this lock, and the second one then finds every reminder taken.
            policy = ReminderPolicy.objects.select_for_update().get(pk=ReminderPolicy.SINGLETON_PK)
            if trigger == SweepTrigger.SCHEDULE and sweep_done(day):
                return None
            run = SweepRun.objects.create(
                day=day,
                trigger=trigger,
                status=SweepStatus.DONE,
                started_at=started,
                finished_at=started,
                triggered_by=actor,
            )
            plan = selectors.reminder_plan(day=day, policy=policy)
            _claim(run, plan)
            _digest(run, policy)
            run.finished_at = timezone.now()
            run.save()
            pending = list(Delivery.objects.filter(run=run, status=DeliveryStatus.PENDING).values_list("pk", flat=True))
            transaction.on_commit(lambda: queue_deliveries(pending))
    except Exception as exc:
        # The transaction rolled back: nothing was claimed, so the next tick tries the whole day again.
        logger.exception("reminder sweep for %s failed", day)
        try:
            SweepRun.objects.create(
                day=day,
                trigger=trigger,
                status=SweepStatus.FAILED,
                started_at=started,
                finished_at=timezone.now(),
                triggered_by=actor,
                error=failure_message(exc),
            )
        except DatabaseError:
            # The database itself is what failed; the log line above is all there can be.
            logger.exception("could not record the failed reminder sweep for %s", day)
        raise
    logger.info(
        "reminder sweep %s for %s: %s items, %s recipients, %s e-mails, %s webhook messages",
        run.pk,
        day,
        run.items,
        run.recipients,
        run.emails,
        run.webhooks,
    )
    return run


def sweep_done(day: datetime.date) -> bool:
    return SweepRun.objects.filter(day=day, status=SweepStatus.DONE).exists()


def _claim(run: SweepRun, plan: selectors.ReminderPlan) -> None:
    """Insert every owed reminder under this run; the ones already claimed by earlier runs are skipped by
    the unique constraints. Afterwards ``run.reminder_items`` are exactly the new ones."""
    # A fixed order, so two sweeps that do meet on the same keys wait for each other instead of deadlocking.
    ordered = sorted(
        plan.claims,
        key=lambda c: (
            c.rectification_id or 0,
            c.inspection_id or 0,
            c.recipient_id or 0,
            c.webhook_id or 0,
            c.kind,
            c.due_date,
            c.offset,
        ),
    )
    if connection.vendor == "postgresql":
        _claim_postgresql(run, ordered, plan)
        return
    rows = (
        ReminderItem(
            run=run,
            kind=c.kind,
            rectification_id=c.rectification_id,
            inspection_id=c.inspection_id,
            recipient_id=c.recipient_id,
            webhook_id=c.webhook_id,
            due_date=c.due_date,
            offset=c.offset,
            payload=plan.payload_for(c),
        )
        for c in ordered
    )
    while chunk := list(islice(rows, 2000)):
        ReminderItem.objects.bulk_create(chunk, ignore_conflicts=True)


def _claim_postgresql(run: SweepRun, claims: list[selectors.Claim], plan: selectors.ReminderPlan) -> None:
    """The same insert for PostgreSQL at committee scale: COPY the keys into a temporary table, then one
    INSERT … SELECT … ON CONFLICT DO NOTHING. Building hundreds of thousands of model instances and SQL
    parameters through bulk_create took minutes; this takes seconds (docs/decisions/reminders-schedule.md)."""
    q = connection.ops.quote_name
    # In the order of Claim's fields.
    columns = ("recipient_id", "webhook_id", "rectification_id", "kind", "due_date", "offset", "inspection_id")
    with connection.cursor() as cursor:
        # The table lives until the end of the session; dropped first so that two sweeps in one
        # transaction (tests do that) each start empty.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.reminder_claim")
        cursor.execute(
            "CREATE TEMPORARY TABLE reminder_claim (seq serial, recipient_id bigint, webhook_id bigint, "
            'rectification_id bigint, kind varchar(30), due_date date, "offset" smallint, inspection_id bigint, '
            "payload text)"
        )
        with cursor.copy(f"COPY reminder_claim ({', '.join(q(c) for c in columns)}, payload) FROM STDIN") as copy:
            for c in claims:
                payload = plan.payload_for(c)
                copy.write_row((*c, json.dumps(payload) if payload is not None else None))
        target = ", ".join(q(c) for c in columns)
        # The identifiers are our own constants; the values go as parameters.
        insert = f"INSERT INTO {q(ReminderItem._meta.db_table)} (run_id, created_at, payload, {target}) "
        select = f"SELECT %s, %s, payload::jsonb, {target} FROM reminder_claim ORDER BY seq ON CONFLICT DO NOTHING"  # noqa: S608
        cursor.execute(insert + select, [run.pk, timezone.now()])
        cursor.execute("DROP TABLE pg_temp.reminder_claim")


def _digest(run: SweepRun, policy: ReminderPolicy) -> None:
    """One in-app notification per recipient, and the e-mail and webhook deliveries, for the run's items."""
    mine = ReminderItem.objects.filter(run=run)
    run.items = mine.count()
    if not run.items:
        return
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in mine.filter(recipient__isnull=False).values("recipient_id", "kind").annotate(n=Count("pk")).order_by():
        counts[row["recipient_id"]][row["kind"]] = row["n"]
    # The weekly summary's figures, read by their kind: a person's report reminder has no rectification
    # either, and must neither stand in for the summary nor be counted as one.
    summaries = dict(
        mine.filter(kind=ReminderKind.WEEKLY_SUMMARY, recipient__isnull=False).values_list("recipient_id", "payload")
    )
    url = reverse("reminders:digest", args=[run.pk])
    notifications = []
    deliveries = []
    now = timezone.now()
    for user_id, by_kind in counts.items():
        title, body = notification_text(by_kind, summaries.get(user_id))
        notifications.append(
            NewNotification(recipient_id=user_id, kind=NOTIFICATION_KIND, title=title, body=body, url=url)
        )
        deliveries.append(
            Delivery(
                run=run,
                channel=Channel.IN_APP,
                recipient_id=user_id,
                item_count=sum(by_kind.values()),
                status=DeliveryStatus.SENT,
                attempts=1,
                sent_at=now,
            )
        )
    # In-app notifications are rows in our own database: written in the claim's transaction they are
    # exactly-once by construction, and they need no worker.
    run.notifications = notification_create_many(notifications=notifications)
    run.recipients = len(counts)
    if email_channel_on(policy):
        mailable = (
            User.objects.filter(pk__in=mine.values("recipient_id"), is_active=True, email_notifications=True)
            .exclude(email="")
            .values_list("pk", flat=True)
        )
        for user_id in mailable:
            deliveries.append(
                Delivery(run=run, channel=Channel.EMAIL, recipient_id=user_id, item_count=sum(counts[user_id].values()))
            )
            run.emails += 1
    hooks = mine.filter(webhook__isnull=False).values("webhook_id", "webhook__kind").annotate(n=Count("pk")).order_by()
    for row in hooks:
        deliveries.append(
            Delivery(run=run, channel=row["webhook__kind"], webhook_id=row["webhook_id"], item_count=row["n"])
        )
        run.webhooks += 1
    Delivery.objects.bulk_create(deliveries, batch_size=1000)


def queue_deliveries(delivery_ids: list[int]) -> int:
    """Hand the deliveries to the worker. A broker that is down loses nothing: the rows stay pending and
    the next tick queues them again (``deliveries_requeue_stale``)."""
    from partyreview.reminders import tasks  # tasks import this module

    channels_by_id = dict(Delivery.objects.filter(pk__in=delivery_ids).values_list("pk", "channel"))
    queued = 0
    for pk in delivery_ids:
        task = tasks.deliver_email if channels_by_id.get(pk) == Channel.EMAIL else tasks.deliver_webhook
        try:
            task.delay(pk)
            queued += 1
        except (KombuOperationalError, OSError):
            # The broker is unreachable: the rest would wait for the same timeout one by one.
            logger.exception("could not queue reminder deliveries from %s on; the next tick will retry", pk)
            break
        except Exception:
            # Only when tasks run eagerly (tests, CELERY_TASK_ALWAYS_EAGER): the send itself failed and
            # recorded why on its row; the other deliveries still go.
            logger.exception("reminder delivery %s failed while run eagerly", pk)
    return queued


# ---- the tick ---------------------------------------------------------------------------------------


def reminders_tick(*, now: datetime.datetime | None = None) -> SweepRun | None:
    """Every few minutes (beat): requeue lost deliveries, and run today's sweep once the policy's hour
    (Asia/Shanghai) has passed and it has not run yet. After downtime the first tick catches up."""
    now = timezone.localtime(now or timezone.now())
    deliveries_requeue_stale(now=now)
    policy = ReminderPolicy.load()
    if now.hour < policy.sweep_hour or sweep_done(now.date()):
        return None
    return reminders_sweep(day=now.date(), trigger=SweepTrigger.SCHEDULE)


def deliveries_requeue_stale(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.REMINDER_REQUEUE_AFTER_SECONDS)
    # A send that started long ago and never finished: the worker died mid-send. Whether the message
    # left is unknown, so it is not sent again on its own; staff see it and decide (docs/decisions).
    Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - grace).update(
        status=DeliveryStatus.FAILED, last_error="发送过程中断（工作进程退出），无法确认是否已送达。", updated_at=now
    )
    stale = list(selectors.deliveries_to_requeue(now=now, grace=grace).values_list("pk", flat=True)[:5000])
    if stale:
        Delivery.objects.filter(pk__in=stale).update(updated_at=now)
        queue_deliveries(stale)
    return len(stale)


# ---- sending ----------------------------------------------------------------------------------------


def delivery_send(*, delivery_id: int) -> str:
    """Send one e-mail or webhook delivery. Returns its final status, or raises RetryLater after a
    transient failure while attempts remain. Idempotent: a delivery not pending or retrying is left alone."""
    now = timezone.now()
    taken = Delivery.objects.filter(
        pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    ).update(status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not taken:
        return ""
    delivery = Delivery.objects.select_related("run", "recipient", "webhook__organization").get(pk=delivery_id)
    try:
        digest = _delivery_digest(delivery)
        if digest.is_empty:
            return _finish(delivery, DeliveryStatus.SKIPPED, error="清单中的整改措施均已销号，无需发送。")
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery, digest)
        else:
            _send_webhook(delivery, digest)
    except channels.SendError as exc:
        if exc.transient and delivery.attempts < settings.REMINDER_SEND_MAX_ATTEMPTS:
            _finish(delivery, DeliveryStatus.RETRYING, error=exc.message, retry_at=_next_attempt(delivery.attempts))
            raise RetryLater(exc.message) from exc
        return _finish(delivery, DeliveryStatus.FAILED, error=exc.message)
    except Exception as exc:
        logger.exception("reminder delivery %s failed", delivery_id)
        return _finish(delivery, DeliveryStatus.FAILED, error=failure_message(exc))
    return _finish(delivery, DeliveryStatus.SENT)


def failure_message(exc: BaseException) -> str:
    """What the status page says about an unexpected failure: Chinese, without the exception's own
    (English, internal) text, which the log line written beside it keeps for whoever investigates."""
    if isinstance(exc, DatabaseError):
        return "数据库暂时不可用（被占用或连接中断），下次检查时会自动重试。详细信息见工作进程日志。"
    return "发生内部错误，详细信息见工作进程日志。"


def _next_attempt(attempts: int) -> datetime.datetime:
    # The latest the retry can come (Celery's countdown is this or less, with jitter).
    seconds = min(
        settings.REMINDER_RETRY_BACKOFF_SECONDS * 2 ** (attempts - 1), settings.REMINDER_RETRY_BACKOFF_MAX_SECONDS
    )
    return timezone.now() + datetime.timedelta(seconds=seconds)


def _finish(delivery: Delivery, status: str, *, error: str = "", retry_at: datetime.datetime | None = None) -> str:
    now = timezone.now()
    fields = {"status": status, "updated_at": now, "next_attempt_at": retry_at}
    if error:
        fields["last_error"] = error[:2000]
    if status == DeliveryStatus.SENT:
        fields["sent_at"] = now
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    return status


def _delivery_digest(delivery: Delivery) -> Digest:
    items = selectors.digest_items(run_id=delivery.run_id, recipient=delivery.recipient, webhook=delivery.webhook)
    return build_digest(items, day=delivery.run.day)


def _send_email(delivery: Delivery, digest: Digest) -> None:
    user = delivery.recipient
    if not (user and user.is_active and user.email and user.email_notifications):
        raise channels.SendError("收件人已关闭邮件提醒或没有邮箱地址。", transient=False)
    context = {
        "digest": digest,
        "recipient": user,
        "site_url": settings.SITE_URL,
        "digest_url": absolute(reverse("reminders:digest", args=[delivery.run_id])),
        "preferences_url": absolute(reverse("reminders:preferences")),
        "summary_links": _summary_links(digest),
    }
    channels.send_email(
        to=user.email,
        subject=digest.subject,
        text=render_to_string("reminders/digest_email.txt", context),
        html=render_to_string("reminders/digest_email.html", context),
    )


def _summary_links(digest: Digest) -> dict | None:
    return summary_links(digest.summary) if digest.summary else None


def _send_webhook(delivery: Delivery, digest: Digest) -> None:
    hook = delivery.webhook
    if not hook.is_active:
        raise channels.SendError("该群机器人已停用。", transient=False)
    title, markdown = webhook_markdown(digest, kind=hook.kind, organization=hook.organization.name)
    channels.post_webhook(kind=hook.kind, url=hook.url, secret=hook.secret, title=title, markdown=markdown)


# ---- actions from the status page and the admin -----------------------------------------------------


def deliveries_retry_failed(*, actor: User) -> int:
    """Send the failed deliveries again, each with a fresh set of attempts. Returns how many were queued."""
    if not can_manage_reminders(actor):
        raise ActionRefused("您无权重发提醒。")
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update()
            .filter(status=DeliveryStatus.FAILED)
            .exclude(channel=Channel.IN_APP)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None, updated_at=timezone.now()
        )
        transaction.on_commit(lambda: queue_deliveries(ids))
    return len(ids)


def sweep_request(*, actor: User) -> None:
    """Run a sweep now, in the worker (a big sweep must not hold a web request)."""
    from partyreview.reminders import tasks  # tasks import this module

    if not can_run_sweep(actor):
        raise ActionRefused("只有系统管理员可以立即执行提醒扫描。")
    try:
        tasks.reminders_sweep.delay(trigger=SweepTrigger.MANUAL, actor_id=actor.pk)
    except Exception as exc:
        raise ActionRefused("后台任务队列暂时不可用，请稍后再试。") from exc


def reminder_preferences_update(*, user: User, email_notifications: bool) -> User:
    """A person switches e-mail reminders on or off for themselves; in-app notifications always stay on."""
    User.objects.filter(pk=user.pk).update(email_notifications=email_notifications)
    user.email_notifications = email_notifications
    return user


def webhook_send_test(*, actor: User, webhook: OrgWebhook) -> None:
    """Post a short test message at once, so an administrator sees a wrong address or secret right away."""
    if not can_run_sweep(actor):
        raise ActionRefused("只有系统管理员可以测试群机器人。")
    # Starts with 整改提醒, the keyword a 钉钉 robot with keyword security is told to expect (admin guide).
    title = "整改提醒 · 测试消息"
    markdown = (
        f"### {title}\n群机器人“{webhook.name}”配置正确，整改提醒将推送到本群。\n"
        f"[登录系统]({absolute(reverse('home'))})"
    )
    try:
        channels.post_webhook(kind=webhook.kind, url=webhook.url, secret=webhook.secret, title=title, markdown=markdown)
    except channels.SendError as exc:
        raise ActionRefused(f"测试消息发送失败：{exc.message}") from exc
