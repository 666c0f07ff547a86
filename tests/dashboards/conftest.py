"""A known data set for the dashboard, built through the services on a controlled calendar.

The clock starts on 2026-01-10 09:00 (Beijing time) and stops on 2026-03-15 12:00, "today".

Inspections: I0 "2025年专项检查" (started 2025-06-01, feedback 2025-06-20) and the world's I1 "2026年巡察"
(started 2025-12-01, feedback 2025-12-21, report due 2026-02-21).

| finding | inspection | branch | category         | measures (original deadline → what happened) |
| ------- | ---------- | ------ | ---------------- | -------------------------------------------- |
| F0      | I0         | A1     | meeting_lapses   | R0 01-20 → closed 01-21 00:30 (late, by half an hour in Beijing) |
| F0b     | I0         | B1     | dues_arrears     | R0b 01-20 → pending (overdue) |
| F1      | I1         | A1     | meeting_lapses ↺ | R1a 02-10 → closed 02-01 00:30 (on time; February in Beijing); |
|         |            |        |                  | R1b 03-01 → pending (overdue) |
| F2      | I1         | A1     | dues_arrears     | R2 03-20 → in progress (yellow); R6 05-31, created 02-15 (green) |
| F3      | I1         | A2     | two_skins        | R3 03-10, extended to 03-25 → closed 03-12 (late: original date) |
| F4      | I1         | B1     | dues_arrears ↺   | R4 02-01 → submitted 02-03 (overdue, waiting for review) |
| F5      | I1         | B1     | weak_leadership  | R5 04-30 → pending (green) |

↺ recurs: the same category was found in the same branch by the earlier inspection I0.
All measures but R6 were created on 2026-01-10 09:00.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from partyreview.accounts.models import Role
from partyreview.inspections.models import Finding, Inspection
from partyreview.inspections.services import inspection_create
from partyreview.organizations.models import Membership, Organization
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification
from tests.conftest import World
from tests.factories import UserFactory, pdf_upload

BEIJING = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=BEIJING)
NOW = datetime.datetime(2026, 3, 15, 12, 0, tzinfo=BEIJING)
TODAY = NOW.date()


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=BEIJING)


@dataclass
class Dataset:
    world: World
    i0: Inspection
    i1: Inspection
    findings: dict[str, Finding]
    r: dict[str, Rectification]


@pytest.fixture
def clock(time_machine):
    """Stopped at the start of the story; the dataset moves it on."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def dataset(clock, world: World) -> Dataset:
    w = world
    ada = UserFactory(username="ada", full_name="艾达")
    Membership.objects.create(user=ada, organization=w.a2, role=Role.MEMBER)
    assignees = {w.a1.pk: w.mike, w.a2.pk: ada, w.b1.pk: w.mona}

    i0 = inspection_create(
        actor=w.alice,
        title="2025年专项检查",
        kind="special",
        inspecting_org=w.committee,
        inspected_orgs=[w.a1, w.b1],
        start_date=datetime.date(2025, 6, 1),
        feedback_date=datetime.date(2025, 6, 20),
    )
    i1 = w.inspection

    def file(inspection: Inspection, org: Organization, category: str, found: datetime.date, *dues: datetime.date):
        return services.finding_file(
            actor=w.alice,
            inspection=inspection,
            organization=org,
            category=w.category(category),
            description=f"{org.name}{category}问题",
            found_on=found,
            measures=[
                services.MeasureInput(measure=f"措施{i}", assignee=assignees[org.pk], due_date=due)
                for i, due in enumerate(dues, start=1)
            ],
        )

    d = datetime.date
    f = {
        "F0": file(i0, w.a1, "meeting_lapses", d(2025, 6, 10), d(2026, 1, 20)),
        "F0b": file(i0, w.b1, "dues_arrears", d(2025, 6, 10), d(2026, 1, 20)),
        "F1": file(i1, w.a1, "meeting_lapses", d(2026, 1, 5), d(2026, 2, 10), d(2026, 3, 1)),
        "F2": file(i1, w.a1, "dues_arrears", d(2026, 1, 5), d(2026, 3, 20)),
        "F3": file(i1, w.a2, "two_skins", d(2026, 1, 6), d(2026, 3, 10)),
        "F4": file(i1, w.b1, "dues_arrears", d(2026, 1, 6), d(2026, 2, 1)),
        "F5": file(i1, w.b1, "weak_leadership", d(2026, 1, 7), d(2026, 4, 30)),
    }

    def measure(key: str, number: int = 1) -> Rectification:
        return Rectification.objects.get(finding=f[key], number=number)

    def submit(r: Rectification, when: datetime.datetime) -> None:
        clock.move_to(when, tick=False)
        services.rectification_record_progress(actor=r.assignee, rectification=r, note="已整改", files=[pdf_upload()])
        services.rectification_submit(actor=r.assignee, rectification=r, summary="整改完成", files=[pdf_upload()])

    def close(r: Rectification, when: datetime.datetime) -> None:
        submit(r, when - datetime.timedelta(minutes=10))
        clock.move_to(when, tick=False)
        services.rectification_close(actor=w.alice, rectification=r, note="核查属实")

    close(measure("F0"), at(1, 21, 0, 30))
    close(measure("F1"), at(2, 1, 0, 30))
    submit(measure("F4"), at(2, 3))
    clock.move_to(at(2, 15, 10), tick=False)
    services.rectification_create(
        actor=w.alice, finding=f["F2"], measure="补充措施", assignee=w.mike, due_date=d(2026, 5, 31)
    )
    clock.move_to(at(2, 20), tick=False)
    r3 = measure("F3")
    extension = services.extension_request(actor=ada, rectification=r3, new_due_date=d(2026, 3, 25), reason="人员调整")
    services.extension_decide(actor=w.alice, extension=extension, approve=True)
    close(measure("F3"), at(3, 12))
    clock.move_to(at(3, 13), tick=False)
    services.rectification_record_progress(actor=w.mike, rectification=measure("F2"), note="正在整改")
    clock.move_to(NOW, tick=False)

    r = {
        "R0": measure("F0"),
        "R0b": measure("F0b"),
        "R1a": measure("F1"),
        "R1b": measure("F1", 2),
        "R2": measure("F2"),
        "R6": measure("F2", 2),
        "R3": measure("F3"),
        "R4": measure("F4"),
        "R5": measure("F5"),
    }
    return Dataset(world=w, i0=i0, i1=i1, findings=f, r=r)
