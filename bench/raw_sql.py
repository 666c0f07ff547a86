# ruff: noqa: S608 -- the queries are built from constants (table names, the time zone), never from input.
"""The committee dashboard's figures in hand-written PostgreSQL: the yardstick for the page.

The issue's target is "the dashboard at most 2× the time of the raw aggregate SQL for the same figures".
This module computes every figure ``partyreview.dashboards.selectors.dashboard_build`` computes, with the
same definitions (see that module's docstring), the way one would write them by hand for speed: one
pass per table with ``FILTER`` clauses and ``GROUP BY``, and a window function for 反复出现 instead of a
correlated EXISTS. ``check_against`` compares the headline with the page's, so the yardstick measures
the same numbers.

Scope is a materialised-path prefix (the viewer's organisation), the dashboard without filters.
"""

import datetime

from django.db import connection

from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.organizations.models import Organization
from partyreview.rectifications.models import Rectification

TREND_MONTHS = 12
ZONE = "Asia/Shanghai"


def _tables() -> dict[str, str]:
    return {
        "org": Organization._meta.db_table,
        "finding": Finding._meta.db_table,
        "rect": Rectification._meta.db_table,
        "insp": Inspection._meta.db_table,
        "cat": Category._meta.db_table,
    }


# Findings and measures in scope, not archived; recurring = an earlier inspection (by start date) found the
# same category in the same organisation: its start date is later than the earliest in its group.
SCOPED = """
WITH f AS (
    SELECT f.id, f.organization_id, f.category_id, f.inspection_id, f.found_on,
           i.start_date > MIN(i.start_date) OVER (PARTITION BY f.organization_id, f.category_id) AS recurring
    FROM {finding} f
    JOIN {insp} i ON i.id = f.inspection_id
    JOIN {org} o ON o.id = f.organization_id
    WHERE NOT f.is_archived AND o.path LIKE %(path)s
),
r AS (
    SELECT r.id, r.responsible_org_id, r.status, r.due_date, r.warn_from, r.original_due_date,
           r.closed_at, r.created_at, f.category_id, f.inspection_id, r.report_due_on, r.report_warn_from,
           -- 长期坚持 without a stage goal has no deadline; one not yet ended is kept up (its light follows
           -- its period reports): rectifications.models.overdue_q and light_q.
           (r.kind = 'long_term' AND r.stage_due_date IS NULL) AS no_deadline,
           (r.kind = 'long_term' AND r.long_term_ended_at IS NULL) AS kept_up
    FROM {rect} r
    JOIN {finding} f ON f.id = r.finding_id
    JOIN {org} o ON o.id = r.responsible_org_id
    WHERE NOT f.is_archived AND o.path LIKE %(path)s
)
"""

# 逾期: open, past its deadline, and having one.
OVERDUE = "status <> 'closed' AND due_date < %(today)s AND NOT no_deadline"

# Counted over r: the same FILTERs for the headline, the branches, the categories and the inspections.
RECT_COUNTS = (
    """
    COUNT(*) AS total,
    COUNT(*) FILTER (WHERE status = 'closed') AS closed,
    COUNT(*) FILTER (WHERE """
    + OVERDUE
    + """) AS overdue,
    COUNT(*) FILTER (WHERE status = 'submitted') AS submitted,
    COUNT(*) FILTER (WHERE status <> 'closed' AND (
        (kept_up AND report_warn_from <= %(today)s AND report_due_on >= %(today)s AND NOT ("""
    + OVERDUE
    + """))
        OR (NOT kept_up AND due_date >= %(today)s AND warn_from <= %(today)s))) AS yellow
"""
)

QUERIES = {
    "headline_findings": SCOPED + "SELECT COUNT(*), COUNT(*) FILTER (WHERE recurring) FROM f",
    "headline_rectifications": SCOPED
    + "SELECT "
    + RECT_COUNTS
    + """,
    COUNT(*) FILTER (WHERE status = 'closed' AND closed_at IS NOT NULL AND NOT no_deadline
                     AND (closed_at AT TIME ZONE '"""
    + ZONE
    + """')::date <= original_due_date) AS on_time,
    COUNT(*) FILTER (WHERE status <> 'closed') AS open,
    AVG(closed_at - created_at) FILTER (WHERE status = 'closed') AS average
    FROM r""",
    "branches": SCOPED
    + """, rc AS (SELECT responsible_org_id AS org_id, """
    + RECT_COUNTS
    + """ FROM r GROUP BY responsible_org_id),
    fc AS (SELECT organization_id AS org_id, COUNT(*) AS findings FROM f GROUP BY organization_id)
    SELECT o.id, o.name, COALESCE(fc.findings, 0), COALESCE(rc.total, 0), COALESCE(rc.closed, 0),
           COALESCE(rc.overdue, 0), COALESCE(rc.submitted, 0), COALESCE(rc.yellow, 0)
    FROM {org} o
    LEFT JOIN rc ON rc.org_id = o.id
    LEFT JOIN fc ON fc.org_id = o.id
    WHERE o.path LIKE %(path)s
      AND ((o.kind = 'branch' AND o.is_active) OR rc.org_id IS NOT NULL OR fc.org_id IS NOT NULL)
    ORDER BY o.path""",
    "categories": SCOPED
    + """, fc AS (SELECT category_id, COUNT(*) AS findings, COUNT(*) FILTER (WHERE recurring) AS recurring
                  FROM f GROUP BY category_id),
    rc AS (SELECT category_id, COUNT(*) FILTER (WHERE status <> 'closed') AS open,
                  COUNT(*) FILTER (WHERE """
    + OVERDUE
    + """) AS overdue
           FROM r GROUP BY category_id)
    SELECT c.id, c.name, fc.findings, fc.recurring, COALESCE(rc.open, 0), COALESCE(rc.overdue, 0)
    FROM {cat} c JOIN fc ON fc.category_id = c.id LEFT JOIN rc ON rc.category_id = c.id
    ORDER BY c.sort_order, c.id""",
    "heat_map": SCOPED + "SELECT organization_id, category_id, COUNT(*) FROM f GROUP BY 1, 2",
    "recurrences": SCOPED
    + """, everywhere AS (
        SELECT organization_id, category_id, COUNT(*) AS times, COUNT(DISTINCT inspection_id) AS inspections
        FROM {finding} WHERE NOT is_archived GROUP BY 1, 2)
    SELECT f.organization_id, f.category_id, COUNT(*) AS recurring, e.times, e.inspections
    FROM f JOIN everywhere e USING (organization_id, category_id)
    WHERE f.recurring
    GROUP BY f.organization_id, f.category_id, e.times, e.inspections
    ORDER BY recurring DESC""",
    "trend": SCOPED
    + """SELECT 'new', date_trunc('month', found_on)::date, COUNT(*) FROM f
        WHERE found_on >= %(trend_from)s GROUP BY 2
    UNION ALL
    SELECT 'closed', date_trunc('month', closed_at AT TIME ZONE '"""
    + ZONE
    + """')::date, COUNT(*) FROM r
        WHERE status = 'closed' AND closed_at >= %(trend_from)s::timestamp AT TIME ZONE '"""
    + ZONE
    + """' GROUP BY 2""",
    "inspections": SCOPED
    + """, fc AS (SELECT inspection_id, COUNT(*) AS findings FROM f GROUP BY 1),
    rc AS (SELECT inspection_id, """
    + RECT_COUNTS
    + """ FROM r GROUP BY 1)
    SELECT i.id, i.title, fc.findings, COALESCE(rc.total, 0), COALESCE(rc.closed, 0), COALESCE(rc.overdue, 0)
    FROM {insp} i JOIN fc ON fc.inspection_id = i.id LEFT JOIN rc ON rc.inspection_id = i.id
    ORDER BY i.start_date DESC, i.id DESC""",
}


def _params(path: str, today: datetime.date) -> dict:
    month = today.replace(day=1)
    index = month.year * 12 + month.month - 1 - (TREND_MONTHS - 1)
    return {"path": f"{path}%", "today": today, "trend_from": datetime.date(index // 12, index % 12 + 1, 1)}


def dashboard_figures(path: str, today: datetime.date) -> dict[str, list[tuple]]:
    """Every figure of the dashboard for the subtree at ``path``: eight queries, all rows fetched."""
    tables = _tables()
    params = _params(path, today)
    results = {}
    with connection.cursor() as cursor:
        for name, query in QUERIES.items():
            cursor.execute(query.format(**tables), params)
            results[name] = cursor.fetchall()
    return results


def explain(name: str, path: str, today: datetime.date) -> str:
    """EXPLAIN ANALYZE of one of the queries, for docs/performance.md."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + QUERIES[name].format(**_tables()), _params(path, today))
        return "\n".join(row[0] for row in cursor.fetchall())


def check_against(figures: dict[str, list[tuple]], headline: object, branch_count: int) -> list[str]:
    """Where the hand-written figures differ from the page's (empty when they agree)."""
    findings, recurring = figures["headline_findings"][0]
    total, closed, overdue, submitted, yellow, on_time, open_, _average = figures["headline_rectifications"][0]
    expected = {
        "findings": (findings, headline.findings),
        "recurring_findings": (recurring, headline.recurring_findings),
        "rectifications": (total, headline.rectifications),
        "closed": (closed, headline.closed),
        "on_time": (on_time, headline.on_time),
        "overdue": (overdue, headline.overdue),
        "submitted": (submitted, headline.submitted),
        "open": (open_, headline.open),
        "yellow": (yellow, headline.yellow),
        "branches": (len(figures["branches"]), branch_count),
    }
    return [f"{name}: raw {raw} ≠ page {page}" for name, (raw, page) in expected.items() if raw != page]
