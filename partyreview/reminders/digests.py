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
from partyreview.rectifications.models import RectificationStatus
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
}
SHORT_LABELS = {
    ReminderKind.LEAD_ESCALATION: "领导督办",
    ReminderKind.ESCALATION_COMMITTEE: "上报督办",
    ReminderKind.ESCALATION_LEADER: "督办",
    ReminderKind.OVERDUE: "已逾期",
    ReminderKind.PERIOD_REPORT: "定期报告",
    ReminderKind.DUE_TODAY: "今天到期",
    ReminderKind.UPCOMING: "即将到期",
}


def absolute(path: str) -> str:
    """Links in mail and group chats must work outside the browser session: prefix the site URL."""
    return f"{settings.SITE_URL}{path}"


def rectification_url(rectification_id: int) -> str:
    return absolute(reverse("rectifications:detail", args=[rectification_id]))


@dataclass
class DigestLine:
    rectification_id: int
    kind: str
    inspection: str
    organization: str
    measure: str
    assignee: str
    due_date: datetime.date
    days_left: int
    url: str

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
    one closed since the sweep is dropped (closed rectifications are never reminded)."""
    best: dict[int, ReminderItem] = {}
    summary = None
    dropped: set[int] = set()
    for item in items:
        if item.rectification_id is None:
            summary = item.payload or {}
            continue
        # Closed measures are never reminded, except a 长期坚持 one closed for its stage about its report.
        kept_up_report = item.kind == ReminderKind.PERIOD_REPORT and item.rectification.is_kept_up
        if item.rectification.status == RectificationStatus.CLOSED and not kept_up_report:
            dropped.add(item.rectification_id)
            continue
        current = best.get(item.rectification_id)
        if current is None or KIND_ORDER[item.kind] < KIND_ORDER[current.kind]:
            best[item.rectification_id] = item
    sections: dict[str, DigestSection] = {}
    for item in sorted(best.values(), key=lambda i: (KIND_ORDER[i.kind], i.rectification.due_date, i.rectification_id)):
        r = item.rectification
        # A period report's date is the period's end (the item's key), not the measure's deadline.
        due = item.due_date if item.kind == ReminderKind.PERIOD_REPORT else r.due_date
        section = sections.setdefault(item.kind, DigestSection(kind=item.kind, title=SECTION_TITLES[item.kind]))
        section.lines.append(
            DigestLine(
                rectification_id=r.pk,
                kind=item.kind,
                inspection=r.finding.inspection.title,
                organization=r.responsible_org.name,
                measure=r.measure,
                assignee=r.assignee.display_name,
                due_date=due,
                days_left=(due - day).days,
                url=rectification_url(r.pk),
            )
        )
    ordered = sorted(sections.values(), key=lambda s: KIND_ORDER[s.kind])
    return Digest(day=day, sections=ordered, summary=summary, dropped=len(dropped))


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
