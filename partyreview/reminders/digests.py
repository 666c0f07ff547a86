"""What a digest says: one message per recipient per run, its items grouped by kind, in Chinese.

The same ``Digest`` feeds the e-mail templates, the group-robot markdown and the in-app digest page, so
the three channels always tell the same story.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse

from partyreview.common.templatetags.partyreview import days_phrase
from partyreview.rectifications.models import FollowUpOutcome, FollowUpReview, RectificationStatus
from partyreview.reminders.models import ESCALATION_KINDS, ReminderItem, ReminderKind

KIND_ORDER = {kind: index for index, kind in enumerate(ReminderKind.values)}
SECTION_TITLES = {
    ReminderKind.LEAD_ESCALATION: "领导督办",
    ReminderKind.ESCALATION_COMMITTEE: "上报党委督办（逾期较久）",
    ReminderKind.ESCALATION_LEADER: "逾期督办",
    ReminderKind.OVERDUE: "已逾期",
    ReminderKind.PERIOD_REPORT: "长期坚持：请填报本期定期报告",
    ReminderKind.DUE_TODAY: "今天到期",
    ReminderKind.UPCOMING: "即将到期",
    ReminderKind.REPORT_DUE: "整改情况报告：临近或已过报送期限",
    ReminderKind.FOLLOW_UP_DUE: "回头看：请在复查期限内填写结论",
}
SHORT_LABELS = {
    ReminderKind.LEAD_ESCALATION: "领导督办",
    ReminderKind.ESCALATION_COMMITTEE: "上报督办",
    ReminderKind.ESCALATION_LEADER: "督办",
    ReminderKind.OVERDUE: "已逾期",
    ReminderKind.PERIOD_REPORT: "定期报告",
    ReminderKind.DUE_TODAY: "今天到期",
    ReminderKind.UPCOMING: "即将到期",
    ReminderKind.REPORT_DUE: "整改报告",
    ReminderKind.FOLLOW_UP_DUE: "回头看",
}
# Kinds about something other than closing a measure by its deadline: each has its own section and line,
# even when the same measure is also reminded under another kind in the same digest.
OWN_LINE_KINDS = frozenset({ReminderKind.REPORT_DUE, ReminderKind.FOLLOW_UP_DUE})


def absolute(path: str) -> str:
    """Links in mail and group chats must work outside the browser session: prefix the site URL."""
    return f"{settings.SITE_URL}{path}"


@dataclass
class DigestLine:
    rectification_id: int | None
    kind: str
    inspection: str
    organization: str
    measure: str
    assignee: str
    due_date: datetime.date
    days_left: int
    url: str
    # The same link within the site (the in-app digest page), and what the date is called on the line.
    path: str = ""
    due_label: str = "整改时限"

    @property
    def phrase(self) -> str:
        return days_phrase(self.days_left)

    @property
    def label(self) -> str:
        return SHORT_LABELS.get(self.kind, "")


@dataclass
class DigestSection:
    kind: str
    title: str
    lines: list[DigestLine] = field(default_factory=list)


@dataclass
class Digest:
    day: datetime.date
    sections: list[DigestSection]
    summary: dict | None = None
    # Items left out because their rectification was closed between the sweep and the sending.
    dropped: int = 0

    @property
    def lines(self) -> list[DigestLine]:
        return [line for section in self.sections for line in section.lines]

    @property
    def counts(self) -> Counter:
        return Counter({section.kind: len(section.lines) for section in self.sections})

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.summary

    @property
    def subject(self) -> str:
        return digest_title(self.counts, has_summary=bool(self.summary))


def digest_title(counts: Mapping[str, int], *, has_summary: bool = False) -> str:
    total = sum(n for kind, n in counts.items() if kind != ReminderKind.WEEKLY_SUMMARY)
    escalated = sum(counts.get(kind, 0) for kind in ESCALATION_KINDS)
    if escalated:
        return f"【督办】{escalated} 项整改措施逾期未完成，请督促落实"
    if counts.get(ReminderKind.OVERDUE):
        return f"【整改提醒】{counts[ReminderKind.OVERDUE]} 项整改措施已逾期" + (
            f"，共 {total} 项需要关注" if total > counts[ReminderKind.OVERDUE] else ""
        )
    if total and counts.get(ReminderKind.PERIOD_REPORT) == total:
        return f"【定期报告】{total} 项长期坚持的整改措施请填报本期报告"
    if total and counts.get(ReminderKind.REPORT_DUE) == total:
        return f"【整改报告】{total} 次检查的整改情况报告临近报送期限或已逾期"
    if total and counts.get(ReminderKind.FOLLOW_UP_DUE) == total:
        return f"【回头看】{total} 项回头看临近复查期限或已逾期，请填写复查结论"
    if total:
        return f"【整改提醒】您有 {total} 项整改措施临近整改时限或需报告"
    if has_summary:
        return "【每周汇总】本周整改情况"
    return "【整改提醒】"


def counts_phrase(counts: Mapping[str, int]) -> str:
    """ "督办 2 项、已逾期 3 项、今天到期 1 项"."""
    parts = []
    escalated = sum(counts.get(kind, 0) for kind in ESCALATION_KINDS)
    if escalated:
        parts.append(f"督办 {escalated} 项")
    for kind in (ReminderKind.OVERDUE, ReminderKind.PERIOD_REPORT, ReminderKind.DUE_TODAY, ReminderKind.UPCOMING):
        if counts.get(kind):
            parts.append(f"{SECTION_TITLES[kind]} {counts[kind]} 项")
    if counts.get(ReminderKind.REPORT_DUE):
        parts.append(f"整改情况报告待报送 {counts[ReminderKind.REPORT_DUE]} 份")
    if counts.get(ReminderKind.FOLLOW_UP_DUE):
        parts.append(f"回头看待复查 {counts[ReminderKind.FOLLOW_UP_DUE]} 项")
    return "、".join(parts)


def summary_phrase(summary: Mapping) -> str:
    return (
        f"本周汇总：范围内未销号 {summary['open']} 项，其中逾期 {summary['overdue']} 项、"
        f"7 天内到期 {summary['due_soon']} 项；近 7 天销号 {summary['closed_week']} 项。"
    )


def notification_text(counts: Mapping[str, int], summary: Mapping | None) -> tuple[str, str]:
    """Title and body of the in-app notification of a digest, from the counts alone (no row reads)."""
    title = digest_title(counts, has_summary=bool(summary))
    body_parts = []
    phrase = counts_phrase(counts)
    if phrase:
        body_parts.append(phrase + "。")
    if summary:
        body_parts.append(summary_phrase(summary))
    body_parts.append("点击查看清单。")
    return title, "\n".join(body_parts)


def build_digest(items: Iterable[ReminderItem], *, day: datetime.date) -> Digest:
    """Group a recipient's items by kind. A rectification appears once, under its most pressing kind;
    one closed since the sweep is dropped (closed rectifications are never reminded). A report's or a
    回头看's reminder is a line of its own, dropped once no longer owed (a 回头看 given its outcome)."""
    best: dict[tuple[int, str], ReminderItem] = {}
    summary = None
    dropped: set[tuple[int, str]] = set()
    for item in items:
        if item.kind == ReminderKind.WEEKLY_SUMMARY:
            summary = item.payload or {}
            continue
        if item.kind == ReminderKind.REPORT_DUE:
            if item.inspection.report_submitted_on is not None:
                dropped.add((item.inspection_id, item.kind))  # reported since the sweep
            else:
                best[(item.inspection_id, item.kind)] = item
            continue
        key = (item.rectification_id, item.kind if item.kind in OWN_LINE_KINDS else "")
        if not _still_owed(item):
            dropped.add(key)
            continue
        current = best.get(key)
        if current is None or KIND_ORDER[item.kind] < KIND_ORDER[current.kind]:
            best[key] = item
    lines = sorted(
        (_line(item, day) for item in best.values()),
        key=lambda line: (KIND_ORDER[line.kind], line.due_date, line.rectification_id or 0, line.inspection),
    )
    sections: dict[str, DigestSection] = {}
    for line in lines:
        section = sections.setdefault(line.kind, DigestSection(kind=line.kind, title=SECTION_TITLES[line.kind]))
        section.lines.append(line)
    ordered = sorted(sections.values(), key=lambda s: KIND_ORDER[s.kind])
    return Digest(day=day, sections=ordered, summary=summary, dropped=len(dropped))


def _still_owed(item: ReminderItem) -> bool:
    """Closed measures are never reminded, except a 长期坚持 one closed for its stage about its report, and
    a closed measure's 回头看 while that check still awaits its outcome."""
    r = item.rectification
    if item.kind == ReminderKind.FOLLOW_UP_DUE:
        return _pending_check(item) is not None
    if item.kind == ReminderKind.PERIOD_REPORT and r.is_kept_up:
        return True
    return r.status != RectificationStatus.CLOSED


def _pending_check(item: ReminderItem) -> FollowUpReview | None:
    """The 回头看 a FOLLOW_UP_DUE item reminds of, while it still awaits its outcome."""
    return next(
        (
            review
            for review in item.rectification.follow_ups.all()
            if review.outcome == FollowUpOutcome.PENDING and review.due_date == item.due_date
        ),
        None,
    )


def _line(item: ReminderItem, day: datetime.date) -> DigestLine:
    if item.kind == ReminderKind.REPORT_DUE:
        inspection = item.inspection
        path = reverse("inspections:detail", args=[inspection.pk])
        return DigestLine(
            rectification_id=None,
            kind=item.kind,
            inspection=inspection.title,
            organization=inspection.inspecting_org.name,
            measure=f"报送“{inspection.title}”整改情况报告",
            assignee="",
            due_date=item.due_date,
            days_left=(item.due_date - day).days,
            url=absolute(path),
            path=path,
            due_label="整改报告期限",
        )
    r = item.rectification
    # A period report's date is the period's end (the item's key), a 回头看's the check's deadline, not
    # the measure's own deadline.
    own_date = item.kind in (ReminderKind.PERIOD_REPORT, ReminderKind.FOLLOW_UP_DUE)
    due = item.due_date if own_date else r.due_date
    path = reverse("rectifications:detail", args=[r.pk])
    if item.kind == ReminderKind.FOLLOW_UP_DUE:
        # Straight to the check's outcome form; to the inspector's task list if it was rescheduled.
        review = _pending_check(item)
        path = (
            reverse("rectifications:followup_record", args=[review.pk])
            if review
            else reverse("rectifications:followup_mine")
        )
    return DigestLine(
        rectification_id=r.pk,
        kind=item.kind,
        inspection=r.finding.inspection.title,
        organization=r.responsible_org.name,
        measure=f"回头看：{r.measure}" if item.kind == ReminderKind.FOLLOW_UP_DUE else r.measure,
        assignee=r.assignee.display_name,
        due_date=due,
        days_left=(due - day).days,
        url=absolute(path),
        path=path,
        due_label="复查期限" if item.kind == ReminderKind.FOLLOW_UP_DUE else "整改时限",
    )


def summary_links(summary: Mapping) -> dict:
    """Where the figures of a weekly summary lead: the dashboard, and the register filtered to each
    lagging branch's overdue measures."""
    lagging = [
        {**row, "url": absolute(reverse("rectifications:list") + f"?organization={row['organization_id']}&overdue=1")}
        for row in summary.get("lagging", [])
    ]
    return {"dashboard_url": absolute(reverse("dashboards:index")), "lagging": lagging}


# ---- group robots -----------------------------------------------------------------------------------

# 企业微信 refuses markdown content over 4,096 bytes; 钉钉 accepts more, but a group chat is no place for
# a ledger: both get the most pressing lines and a link for the rest.
MARKDOWN_LIMITS = {"wecom": 4000, "dingtalk": 6000}

# Neither robot honours a backslash escape, so markdown's control characters in what users wrote become
# their full-width twins: a Chinese reader sees the same text, the renderer sees no link, image, heading,
# emphasis, code or HTML tag; "://" loses its colon so that a bare address is not turned into a link either.
# Line breaks become spaces, so a value cannot start a line of its own.
_MARKDOWN_SAFE = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        "!": "！",
        "~": "～",
        "|": "｜",
        "\\": "＼",
        "\r": " ",
        "\n": " ",
    }
)


def markdown_text(value: str) -> str:
    """What a user wrote, safe to put into a group robot's markdown: every value from the database goes
    through here, never straight into the message."""
    return str(value).translate(_MARKDOWN_SAFE).replace("://", "：//")


def _markdown_line(line: DigestLine, *, wecom: bool) -> str:
    measure = line.measure
    if len(measure) > 40:
        measure = measure[:40] + "…"
    measure = markdown_text(measure)
    phrase = line.phrase
    if wecom and line.days_left < 0:
        phrase = f'<font color="warning">{phrase}</font>'
    return (
        f"- [{markdown_text(line.organization)}：{measure}]({line.url})\n"
        f"  {phrase}（时限 {line.due_date:%Y-%m-%d}，责任人 {markdown_text(line.assignee)}）"
    )


def webhook_markdown(digest: Digest, *, kind: str, organization: str) -> tuple[str, str]:
    """Title and markdown text of a group-robot message, cut to the channel's size limit."""
    title = f"整改提醒 · {digest.day:%Y-%m-%d}"
    wecom = kind == "wecom"
    head = f"### {title}\n**{markdown_text(organization)}**及下级：{counts_phrase(digest.counts)}\n"
    foot = f"\n[登录系统查看全部]({absolute(reverse('home'))})"
    limit = MARKDOWN_LIMITS.get(kind, 4000)
    body: list[str] = []
    used = len(head.encode()) + len(foot.encode()) + 80
    lines = digest.lines
    shown = 0
    full = False
    for section in digest.sections:
        heading = f"\n#### {section.title}（{len(section.lines)} 项）"
        for index, line in enumerate(section.lines):
            text = _markdown_line(line, wecom=wecom)
            extra = len(text.encode()) + 1 + (len(heading.encode()) + 1 if index == 0 else 0)
            if used + extra > limit:
                full = True
                break
            if index == 0:
                body.append(heading)
            body.append(text)
            used += extra
            shown += 1
        if full:
            break
    if shown < len(lines):
        body.append(f"\n……另有 {len(lines) - shown} 项未列出")
    return title, head + "\n".join(body) + foot
