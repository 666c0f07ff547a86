"""Recording meetings through the pages: who may, what is refused, and what the records look like after."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partyreview.organizations.models import Organization
from partyreview.orglife.models import MeetingRecord
from tests.factories import pdf_upload
from tests.orglife.conftest import beijing, hold

OK, ABSENT = 200, 404


def post_meeting(client: Client, org: Organization, **overrides: object) -> HttpResponse:
    data = {
        "types": ["committee_meeting", "theme_day"],
        "held_at": (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "topic": "研究本月工作",
        "speaker": "",
        "expected_count": "7",
        "present_count": "6",
        "minutes": "一、传达上级精神；二、研究发展党员工作。",
        "files": [pdf_upload("签到表.pdf")],
    }
    data.update(overrides)
    return client.post(reverse("orglife:meeting_create", args=[org.pk]), data)


def test_secretary_records_a_meeting_for_two_types_with_minutes_and_evidence(world, client_for):
    response = post_meeting(client_for(world.sam), world.a1)
    assert response.status_code == 302
    meeting = MeetingRecord.objects.get()
    assert meeting.organization == world.a1
    assert meeting.type_codes == ["committee_meeting", "theme_day"]
    assert meeting.minutes.startswith("一、传达")
    assert [e.original_name for e in meeting.evidence.all()] == ["签到表.pdf"]
    assert meeting.history.first().history_user == world.sam


@pytest.mark.parametrize(
    ("persona", "status", "recorded"),
    [
        ("sam", 302, True),
        ("alice", 302, True),
        ("gina", 302, True),
        ("leo", 302, False),  # leaders read; the page sends them back with a message
        ("sara", ABSENT, False),
        ("mike", ABSENT, False),
        ("nobody", ABSENT, False),
    ],
)
def test_who_may_record_a_meeting_for_a1(world, client_for, persona, status, recorded):
    response = post_meeting(client_for(getattr(world, persona)), world.a1)
    assert response.status_code == status
    assert MeetingRecord.objects.exists() is recorded


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"types": []}, "这个字段是必填项"),
        ({"types": ["party_lecture"], "speaker": ""}, "党课须填写主讲人"),
        ({"present_count": "9"}, "实到人数不能多于应到人数"),
        ({"held_at": "2099-01-01T09:00"}, "召开时间不能晚于现在"),
        ({"files": [pdf_upload("x.exe")]}, "类型不被允许"),
    ],
)
def test_a_bad_meeting_is_refused_with_a_message_and_nothing_saved(world, client_for, overrides, message):
    response = post_meeting(client_for(world.sam), world.a1, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MeetingRecord.objects.exists()


def test_the_held_at_time_is_read_as_beijing_time(world, client_for):
    post_meeting(client_for(world.sam), world.a1, **{"held_at": "2026-03-31T23:30"})
    meeting = MeetingRecord.objects.get()
    assert meeting.held_at == beijing(2026, 3, 31, 23, 30)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("sam", OK),
        ("alice", OK),
        ("gina", OK),
        ("leo", OK),
        ("lena", OK),
        ("sara", ABSENT),
        ("mike", ABSENT),
        ("nobody", ABSENT),
    ],
)
def test_who_may_read_a1s_meeting_and_its_evidence(world, client_for, persona, status):
    meeting = post_meeting(client_for(world.sam), world.a1) and MeetingRecord.objects.get()
    client = client_for(getattr(world, persona))
    assert client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).status_code == status
    evidence = meeting.evidence.get()
    response = client.get(reverse("orglife:evidence_download", args=[evidence.pk]))
    assert response.status_code == status
    listed = client.get(reverse("orglife:meeting_list")).content.decode()
    assert (reverse("orglife:meeting_detail", args=[meeting.pk]) in listed) is (status == OK)


def test_a_record_is_corrected_and_voided_never_deleted(world, client_for):
    meeting = hold(world.a1, world.sam, ["theme_day"], beijing(2026, 3, 10))
    client = client_for(world.sam)
    response = client.post(
        reverse("orglife:meeting_update", args=[meeting.pk]),
        {
            "types": ["theme_day", "branch_assembly"],
            "held_at": "2026-03-10T15:00",
            "topic": "主题党日暨党员大会",
            "expected_count": "10",
            "present_count": "10",
            "minutes": "改正后的记录",
            "version": str(meeting.version),
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.type_codes, meeting.topic, meeting.version) == (
        ["branch_assembly", "theme_day"],
        "主题党日暨党员大会",
        2,
    )
    stale = client.post(
        reverse("orglife:meeting_update", args=[meeting.pk]),
        {
            "types": ["theme_day"],
            "held_at": "2026-03-10T15:00",
            "topic": "旧表单",
            "expected_count": "10",
            "present_count": "10",
            "version": "1",
        },
    )
    assert "已被他人修改" in stale.content.decode()
    client.post(reverse("orglife:meeting_void", args=[meeting.pk]), {"reason": "重复录入"})
    meeting.refresh_from_db()
    assert (meeting.is_void, meeting.void_reason) == (True, "重复录入")
    assert MeetingRecord.objects.filter(pk=meeting.pk).exists()
    page = client.get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert "作废原因" in page and "修改组织生活记录" in page


def test_the_meeting_list_costs_the_same_queries_for_few_and_many_meetings(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.alice)
    for day in range(1, 4):
        hold(world.a1, world.sam, ["theme_day"], beijing(2026, 3, day))
    client.get(reverse("orglife:meeting_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("orglife:meeting_list"))
    for day in range(4, 28):
        hold(world.a1, world.sam, ["theme_day", "committee_meeting"], beijing(2026, 3, day))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("orglife:meeting_list"))
    assert len(many) == len(few)
