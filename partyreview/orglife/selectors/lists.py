"""Reads for the list pages and the branch dues view; each owns its select_related and prefetches."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from partyreview.organizations.models import Organization
from partyreview.orglife.models import Breach, DuesPayment, MeetingRecord, MeetingRecordType, PartyMember
from partyreview.orglife.rules import add_months
from partyreview.orglife.selectors.checker import MemberArrears, last_completed_month, member_arrears


def meetings_for_list(qs: QuerySet[MeetingRecord]) -> QuerySet[MeetingRecord]:
    return qs.select_related("organization", "recorded_by").prefetch_related(
        Prefetch("type_rows", queryset=MeetingRecordType.objects.order_by("pk")), "evidence"
    )


def breaches_for_list(qs: QuerySet[Breach]) -> QuerySet[Breach]:
    return qs.select_related("organization", "category", "decided_by", "finding__inspection")


@dataclass(frozen=True)
class DuesRow:
    """A row of the branch dues view: the member, months behind, and which of the shown months are paid."""

    member: PartyMember
    arrears: MemberArrears | None
    paid: list[bool | None]  # per shown month: True paid, False unpaid, None not owed


def dues_ledger(
    branch: Organization, today: datetime.date, months: int = 12
) -> tuple[list[datetime.date], list[DuesRow]]:
    """The branch's dues view: every member on the roster, the last ``months`` months, paid or not (3 queries)."""
    last = last_completed_month(today)
    shown = [add_months(last, -offset) for offset in range(months - 1, -1, -1)]
    org_qs = Organization.objects.filter(pk=branch.pk)
    arrears = {a.member_id: a for a in member_arrears(org_qs, last)}
    members = list(PartyMember.objects.filter(organization=branch).order_by("status", "name"))
    paid = set(
        DuesPayment.objects.filter(member__organization=branch, month__gte=shown[0], month__lte=last).values_list(
            "member_id", "month"
        )
    )
    rows = []
    for member in members:
        owes = member.owes_dues
        row_paid = [
            (True if (member.pk, m) in paid else (False if owes and m >= member.dues_from else None)) for m in shown
        ]
        rows.append(DuesRow(member=member, arrears=arrears.get(member.pk), paid=row_paid))
    rows.sort(key=lambda r: -(r.arrears.months_behind if r.arrears else -1))
    return shown, rows
