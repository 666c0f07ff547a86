"""Template helpers shared by every app: lights, a measure's status badge and day counts."""

from django import template
from django.utils.html import format_html

from partyreview.common.text import headline as _headline

register = template.Library()

LIGHT_LABELS = {1: "绿灯", 2: "黄灯", 3: "红灯"}


@register.simple_tag
def light(value: int | None) -> str:
    value = value or 1
    label = LIGHT_LABELS.get(value, "绿灯")
    return format_html(
        '<span class="light light-{}" title="{}" role="img" aria-label="{}"></span>', value, label, label
    )


# A measure's status as a badge colour (RectificationStatus values); pending and anything new: grey.
STATUS_BADGES = {
    "closed": "text-bg-success",
    "submitted": "text-bg-primary",
    "returned": "text-bg-warning",
    "in_progress": "text-bg-info",
}


@register.simple_tag
def status_badge(rectification: object) -> str:
    """A measure's status as a badge. A tag, not an included template: lists draw one per row, and an
    include cost a tenth of a millisecond each (80 cards on a branch secretary's home)."""
    status = rectification.status
    return format_html(
        '<span class="badge status-badge {}" data-status="{}">{}</span>',
        STATUS_BADGES.get(status, "text-bg-secondary"),
        status,
        rectification.get_status_display(),
    )


@register.simple_tag
def timeliness_badge(rectification: object) -> str:
    """按期完成 / 延期后按期完成 / 逾期完成 beside a closed measure (``Rectification.timeliness``)."""
    timeliness = rectification.timeliness
    if timeliness is None:
        return ""
    return format_html(
        '<span class="badge text-bg-light border timeliness" data-timeliness="{}">{}</span>',
        timeliness.value,
        timeliness.label,
    )


@register.filter
def days_phrase(days: int) -> str:
    """剩余 N 天 / 今天到期 / 逾期 N 天."""
    if days > 0:
        return f"剩余 {days} 天"
    if days == 0:
        return "今天到期"
    return f"逾期 {-days} 天"


@register.simple_tag
def deadline_phrase(rectification: object) -> str:
    """What a measure's card says of its time, one rule for every card: an open measure its days (剩余 N 天 /
    逾期 N 天, red when overdue); a 长期坚持 measure kept up, unless its stage goal is overdue, its period
    report (本期报告截至 03-31 / 定期报告已过期); a closed one, even closed for its stage, no deadline at all
    (it was met or missed: the timeliness badge says which)."""
    r = rectification
    if r.is_kept_up and not r.is_overdue:
        late = r.report_overdue
        text = "定期报告已过期" if late else (f"本期报告截至 {r.report_due_on:%m-%d}" if r.report_due_on else "")
        css = "period-due"
    elif r.is_closed or not r.has_deadline:
        return ""
    else:
        late = r.is_overdue
        text, css = days_phrase(r.days_left), "days-left"
    if not text:
        return ""
    return format_html(
        '<span class="ms-auto small text-nowrap {}{}">{}</span>', css, " text-danger fw-semibold" if late else "", text
    )


@register.simple_tag(takes_context=True)
def querystring_without(context: dict, *keys: str) -> str:
    """The current query string minus some keys (for pagination and sort links that keep filters)."""
    params = context["request"].GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


@register.filter
def headline(text: str) -> str:
    """A measure (or any text users wrote) named in one short line: ``{{ r.measure|headline }}``."""
    return _headline(text)
