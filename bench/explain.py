"""``python -m bench.explain [NAME ...]``: EXPLAIN ANALYZE of the reads each index exists for.

docs/performance.md quotes these plans; run against the bench database (DATABASE_URL) to see them again.
Each query is built from the application's own querysets, so the plan is the one the page gets.
"""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")


def queries() -> dict[str, tuple[str, object]]:
    """name → (what the index is for, queryset)."""
    from django.db.models import Q

    from partyreview.accounts.models import User
    from partyreview.common.dates import local_today
    from partyreview.dashboards.selectors import recurring_q
    from partyreview.inspections.models import Finding
    from partyreview.inspections.permissions import findings_visible_to
    from partyreview.organizations.models import Organization
    from partyreview.rectifications.models import Rectification
    from partyreview.rectifications.permissions import rectifications_visible_to

    today = local_today()

    def path_q(org: Organization) -> Q:
        return Q(responsible_org__path__startswith=org.path)

    general = Organization.objects.get(code="SC-G001")
    branch = Organization.objects.get(code="SC-G001-B01")
    member = User.objects.get(username="sc-b0001-m1")
    general_staff = User.objects.get(username="sc-g001-staff")
    committee_staff = User.objects.get(username="sc-staff1")
    finding = Finding.objects.filter(organization=branch).order_by("-found_on").first()
    return {
        "subtree": (
            "organizations_organization.path (LIKE index): a subtree is one range scan, whatever its depth",
            Organization.objects.filter(path__startswith=general.path).values("pk"),
        ),
        "branch_open": (
            "rect_org_status_idx (responsible_org, status): a branch's open measures (本支部整改, lights)",
            Rectification.objects.filter(responsible_org=branch).open().values("pk", "due_date"),
        ),
        "assignee_open": (
            "rect_assignee_status_idx (assignee, status): a person's open measures (worklist, reminders)",
            Rectification.objects.filter(assignee=member).open().values("pk", "due_date"),
        ),
        "due_soon": (
            "rect_status_due_idx (status, due_date): measures of given states by deadline (sweep, due_within)",
            Rectification.objects.filter(status__in=["pending", "in_progress", "returned"], due_date__lt=today).values(
                "pk"
            ),
        ),
        "most_overdue": (
            "rect_open_due_idx (due_date, id) of open measures: the workbench's and register's most overdue first",
            Rectification.objects.filter(path_q(general)).overdue(today).order_by("due_date", "id").values("pk")[:8],
        ),
        "overdue_count": (
            "rect_open_due_idx INCLUDE (responsible_org, assignee, finding): a scope's overdue measures counted "
            "(the register's COUNT) without visiting the table",
            rectifications_visible_to(general_staff).overdue(today).values("pk"),
        ),
        "review_queue": (
            "rect_submitted_idx (submitted_at, id) of submitted measures: 待我审核, longest waiting first",
            rectifications_visible_to(committee_staff)
            .filter(status="submitted")
            .order_by("submitted_at", "id")
            .values("pk")[:30],
        ),
        "problem_list_order": (
            "inspection_start_idx (-start_date, id): the problem list, newest inspection first",
            findings_visible_to(committee_staff)
            .order_by("-inspection__start_date", "inspection_id", "sequence")
            .values("pk")[:50],
        ),
        "recurring": (
            "finding_org_category_idx (organization, category): 反复出现, the same category found here before",
            Finding.objects.filter(pk=finding.pk).filter(recurring_q()).values("pk"),
        ),
    }


def explain(queryset: object) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(names: list[str]) -> None:
    django.setup()
    for name, (purpose, queryset) in queries().items():
        if names and name not in names:
            continue
        print(f"## {name}: {purpose}\n\n```\n{explain(queryset)}\n```\n")


if __name__ == "__main__":
    main(sys.argv[1:])
