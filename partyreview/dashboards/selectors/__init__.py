"""整改看板的统计读取：every figure of the committee dashboard, aggregated in the database.

Each function takes the viewer's scoped, filtered querysets and returns aggregates: counts come from
``aggregate()`` or grouped ``values().annotate()`` (one pass over each table, merged by id; correlated
per-row counts were 70× slower at 1,000 branches, see docs/performance.md), never from Python loops over
findings or rectifications. Python only arranges the (few) aggregated rows for display, so
the number of queries is the same for ten rectifications or ten thousand (pinned by
tests/dashboards/test_query_count.py).

Definitions (the tests assert each one exactly):

- 整改完成率 completion rate = closed / all rectifications.
- 按期完成率 on-time rate = closed on or before ``original_due_date`` (calendar day in Asia/Shanghai)
  / closed. An approved extension moves ``due_date`` but never makes a late closure "on time".
- 逾期 overdue = not closed and ``due_date`` before today (``rectifications.models.overdue_q``: a 长期坚持
  measure without a stage goal has no deadline).
- 立行立改完成率 = closed 立行立改 measures / 立行立改 measures; 长期坚持中, 本期报告未报 and 整改成效
  (实质整改 / 需持续跟进 at 销号) in ``lifecycle``.
- 平均销号用时 average days to close = mean of ``closed_at - created_at`` over closed rectifications.
- 红黄绿灯: ``rectifications.models.light_q``, the rule every list uses; a branch takes the worst light
  of its open rectifications.
- 反复出现 recurrence: a finding whose organisation already had a finding of the same category from a
  different inspection that started earlier (屡查屡犯).

Filters: an inspection, and a period that applies to a finding's ``found_on`` and to a rectification's
creation day. Archived findings (withdrawn, see ``finding_archive``) and their measures are not counted.

The reads are split along the page's sections: ``base`` (filters, scoped querysets, shared expressions),
``figures`` (headline, counts per organisation × category), ``branches`` (lights, rankings, groups),
``categories`` (heat map, recurrence), ``trend``, ``inspections`` (report deadlines, 督办) and ``build``
(everything at once, adding up the organisations' shares of ``partials``). What callers use is importable from here.
"""

from partyreview.dashboards.selectors.base import (
    DashboardFilter,
    dashboard_findings,
    dashboard_focus_choices,
    dashboard_inspections,
    dashboard_rectifications,
    recurring_q,
    share,
)
from partyreview.dashboards.selectors.build import (
    CountPairs,
    CountShares,
    Dashboard,
    GatherPairs,
    GatherShares,
    HeatRow,
    dashboard_build,
)
from partyreview.dashboards.selectors.inspections import dashboard_scope, inspection_time_share, recent_escalations
from partyreview.dashboards.selectors.partials import Partial, PartialSums

__all__ = [
    "CountPairs",
    "CountShares",
    "Dashboard",
    "DashboardFilter",
    "GatherPairs",
    "GatherShares",
    "HeatRow",
    "Partial",
    "PartialSums",
    "dashboard_build",
    "dashboard_findings",
    "dashboard_focus_choices",
    "dashboard_inspections",
    "dashboard_rectifications",
    "dashboard_scope",
    "inspection_time_share",
    "recent_escalations",
    "recurring_q",
    "share",
]
