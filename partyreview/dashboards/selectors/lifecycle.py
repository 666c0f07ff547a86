"""How committees rectify, beside the headline: 立行立改完成率, the 长期坚持 measures kept up and those whose
period report is missing, the reviewers' 整改成效 at 销号 (实质整改 / 需持续跟进), and the findings a 回头看
found back (问题反弹).

One aggregate over the scoped, filtered measures, kept apart from the headline so that the headline's own
figures (and whatever maintains them) stay as they are.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from partyreview.dashboards.selectors.base import CLOSED, share
from partyreview.rectifications.models import Rectification, RectificationEffect, RectificationKind, kept_up_q
from partyreview.rectifications.selectors import relapsed_q


@dataclass(frozen=True)
class LifecycleFigures:
    immediate: int
    immediate_closed: int
    kept_up: int
    stage_closed: int
    report_missing: int
    substantive: int
    follow_up: int
    relapsed_findings: int

    @property
    def immediate_rate(self) -> float | None:
        """立行立改完成率: closed 立行立改 measures / all 立行立改 measures."""
        return share(self.immediate_closed, self.immediate)

    @property
    def substantive_rate(self) -> float | None:
        """实质整改 among the closures the reviewer rated."""
        return share(self.substantive, self.substantive + self.follow_up)


def lifecycle_figures(rectifications: QuerySet[Rectification], today: datetime.date) -> LifecycleFigures:
    closed = Q(status=CLOSED)
    immediate = Q(kind=RectificationKind.IMMEDIATE)
    row = rectifications.order_by().aggregate(
        immediate=Count("pk", filter=immediate),
        immediate_closed=Count("pk", filter=immediate & closed),
        kept_up=Count("pk", filter=kept_up_q()),
        stage_closed=Count("pk", filter=kept_up_q() & closed),
        report_missing=Count("pk", filter=kept_up_q() & Q(report_due_on__lt=today)),
        substantive=Count("pk", filter=closed & Q(effect=RectificationEffect.SUBSTANTIVE)),
        follow_up=Count("pk", filter=closed & Q(effect=RectificationEffect.FOLLOW_UP)),
        # 问题反弹: findings a 回头看 found back, counted beside 反复出现 (recurrence).
        relapsed_findings=Count("finding", distinct=True, filter=relapsed_q()),
    )
    return LifecycleFigures(**row)
