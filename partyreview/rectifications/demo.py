"""Demo data: one committee, three general branches, twelve branches, the five demo logins and a year of
inspections: three finished rounds closed mostly on time, and a current one whose measures stand in every
state. Built through the services at the moments things happened, so history and figures are real."""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.inspections.categories import ensure_standard_categories
from partyreview.inspections.models import Category, InspectionKind
from partyreview.inspections.services import inspection_create
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.rectifications import services
from partyreview.rectifications.measure_library import ensure_standard_measures
from partyreview.rectifications.models import (
    Rectification,
    RectificationKind,
    ReportCadence,
    StandardMeasure,
)

COMMITTEE_CODE = "DEMO"

GENERAL_BRANCHES = [
    ("机关党总支", ["办公室党支部", "组织人事党支部", "财务审计党支部", "后勤服务党支部"]),
    ("生产党总支", ["第一车间党支部", "第二车间党支部", "质量安全党支部", "物流储运党支部"]),
    ("科研党总支", ["研发中心党支部", "信息技术党支部", "检测中心党支部", "离退休党支部"]),
]

# (login, full name, role, organisation name or None for the committee, note)
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, None, "全部功能与后台管理"),
    ("staff", "王敏", Role.STAFF, None, "党务工作人员：录入问题、审核销号"),
    ("leader", "李建国", Role.LEADER, None, "党委领导：看板与督办"),
    ("secretary", "张伟", Role.SECRETARY, "办公室党支部", "支部书记（办公室党支部）"),
    ("secretary2", "刘洋", Role.SECRETARY, "第一车间党支部", "支部书记（第一车间党支部）"),
]

# Findings as an inspection report would word them: (category, branch, severity, description, basis,
# [(measure, kind, days from found date to deadline)]).
FINDINGS = [
    (
        "meeting_lapses",
        "办公室党支部",
        "major",
        "2025年第三季度未召开支部党员大会，支委会记录不全，部分会议记录事后补写。",
        "《中国共产党支部工作条例（试行）》第十一条、第十二条",
        [
            ("按季度制定“三会一课”计划并报党总支备案，逐次留存签到表和会议记录。", "deadline", 30),
            # 限期: the secretary's walkthrough resubmits this returned measure and staff close it for good.
            ("支委会每月至少召开一次，由组织委员负责记录并当场签字确认。", "deadline", 60),
        ],
    ),
    (
        "dues_arrears",
        "办公室党支部",
        "minor",
        "3名党员连续4个月未交纳党费，支部未及时提醒，党费台账未按月登记。",
        "《关于中国共产党党费收缴、使用和管理的规定》",
        [("逐一谈话提醒欠缴党员并补交，建立按月登记的党费台账。", "immediate", 15)],
    ),
    (
        "two_skins",
        "第一车间党支部",
        "major",
        "支部工作计划与车间生产计划分开制定，年度考核未体现党建内容，党建与业务“两张皮”。",
        "党委关于推进党建与业务深度融合的实施意见",
        [
            ("将党建工作目标纳入车间年度生产考核方案，与生产任务同部署同考核。", "deadline", 45),
            ("每季度在车间生产例会上通报党建工作进展。", "long_term", 90),
        ],
    ),
    (
        "weak_leadership",
        "第一车间党支部",
        "severe",
        "支部书记由车间主任兼任，全年仅主持2次支部活动，支委会缺额1人长期未增补。",
        "《中国共产党支部工作条例（试行）》第十八条",
        [("按程序增补支部委员，明确分工并报党总支审批。", "deadline", 60)],
    ),
    (
        "election_overdue",
        "第二车间党支部",
        "major",
        "支部委员会任期已于2025年12月届满，未按期换届，也未报批延期。",
        "《关于党的基层组织任期的意见》",
        [("制定换届工作方案，报党总支批准后组织选举。", "deadline", 45)],
    ),
    (
        "theory_study",
        "研发中心党支部",
        "minor",
        "年度理论学习计划执行不到位，集中学习以读文件为主，缺少研讨交流。",
        "党委理论学习中心组学习规则",
        [("修订学习计划，每季度安排一次专题研讨并形成学习体会。", "deadline", 60)],
    ),
    (
        "member_management",
        "离退休党支部",
        "minor",
        "2名流动党员长期失联，未按规定开展组织关系排查。",
        "《中国共产党党员教育管理工作条例》",
        [("通过原单位、社区等渠道联系失联党员，完成组织关系排查并建立台账。", "deadline", 40)],
    ),
    (
        "carriers",
        "物流储运党支部",
        "minor",
        "支部无固定党员活动室，活动形式以传达文件为主，形式单一。",
        "党委关于加强党支部阵地建设的通知",
        [("协调设立党员活动室并配备必要设施。", "deadline", 90), ("每季度开展一次主题党日实践活动。", "long_term", 90)],
    ),
    (
        "political_life",
        "质量安全党支部",
        "major",
        "年度组织生活会批评与自我批评辣味不足，相互批评意见多为工作建议。",
        "《关于新形势下党内政治生活的若干准则》",
        [("重新召开专题组织生活会，会前开展谈心谈话，会后列出整改清单。", "deadline", 30)],
    ),
    (
        "responsibility",
        "财务审计党支部",
        "minor",
        "党建工作责任清单未细化到支委，一岗双责落实情况无记录。",
        "党委党建工作责任制实施办法",
        [("制定支委党建责任清单，每半年报告一次履职情况。", "deadline", 30)],
    ),
    (
        "integrity",
        "后勤服务党支部",
        "major",
        "物资采购环节廉洁风险点排查不全，未开展廉洁提醒谈话。",
        "党风廉政建设责任制规定",
        [
            ("全面排查采购环节廉洁风险点并制定防控措施。", "deadline", 45),
            ("对采购岗位人员开展廉洁提醒谈话并留存记录。", "immediate", 10),
        ],
    ),
    (
        "vanguard_role",
        "检测中心党支部",
        "minor",
        "党员示范岗设立后缺少考核，党员在重点任务中带头作用不明显。",
        "党委关于开展党员先锋岗活动的意见",
        [("完善党员示范岗考核办法，年底公开评议。", "deadline", 60)],
    ),
    (
        "work_style",
        "信息技术党支部",
        "minor",
        "重复报送材料较多，部分台账只为迎检而建，形式主义问题仍然存在。",
        "关于整治形式主义为基层减负的若干措施",
        [("清理合并各类报表台账，明确保留清单。", "deadline", 30)],
    ),
    (
        "member_recruitment",
        "组织人事党支部",
        "minor",
        "发展对象政治审查材料不全，培养考察记录存在空缺。",
        "《中国共产党发展党员工作细则》",
        [("补齐发展对象政审材料，规范培养考察记录。", "deadline", 30)],
    ),
]

# How each measure of a round ends, cycled over its measures. Closed rounds close most measures on time,
# a few late, one after an approved extension (late by the definition: on time is against the original
# deadline) and one after a return; the current round stands in every state of the lifecycle.
PLANS = {
    "finished": ["on_time", "on_time", "late", "on_time", "extended", "on_time", "returned_then_closed", "on_time"],
    # Both demo secretaries' branches (办公室, 第一车间) get a measure waiting for review and one to remind.
    "current": [
        "overdue",
        "returned",
        "submitted",
        "in_progress",
        "due_soon",
        "submitted",
        "pending",
        "overdue_long",
        "extension",
        "on_time",
        "on_time",
    ],
}

# The year of inspections, relative to today: (title, kind, days before today the inspection started,
# plan, findings). Feedback comes 30 days after the start, the findings are filed 5 days before it.
ROUNDS = [
    ("2025年度党委巡察", InspectionKind.TOUR, 365, "finished", FINDINGS[:7]),
    ("2026年上半年党建工作日常督查", InspectionKind.ROUTINE, 290, "finished", FINDINGS[11:14]),
    ("2026年党费收缴和组织生活专项检查", InspectionKind.SPECIAL, 215, "finished", FINDINGS[7:11]),
    ("2026年第二轮党委巡察", InspectionKind.TOUR, 80, "current", FINDINGS),
]


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def demo_exists() -> bool:
    return Organization.objects.filter(code=COMMITTEE_CODE).exists()


def _user(username: str, full_name: str, *, password: str | None) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    user.full_name = full_name
    user.email = f"{username}@example.org"
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def seed_demo() -> dict[str, User]:
    password = settings.DEMO_PASSWORD
    committee = Organization.objects.create(
        name="示范集团党委",
        code=COMMITTEE_CODE,
        kind=OrganizationKind.COMMITTEE,
        formal_member_count=420,
        has_committee=True,
        term_start=datetime.date(2022, 6, 1),
        term_end=datetime.date(2027, 6, 1),
    )
    branches: dict[str, Organization] = {}
    for g_index, (general_name, branch_names) in enumerate(GENERAL_BRANCHES, start=1):
        general = Organization.objects.create(
            name=general_name,
            code=f"{COMMITTEE_CODE}-{g_index}",
            kind=OrganizationKind.GENERAL_BRANCH,
            parent=committee,
            sort_order=g_index,
            formal_member_count=120,
            has_committee=True,
            term_start=datetime.date(2024, 3, 1),
            term_end=datetime.date(2027, 3, 1),
        )
        for b_index, name in enumerate(branch_names, start=1):
            members = 6 + (g_index * 7 + b_index * 5) % 30
            branches[name] = Organization.objects.create(
                name=name,
                code=f"{COMMITTEE_CODE}-{g_index}-{b_index}",
                kind=OrganizationKind.BRANCH,
                parent=general,
                sort_order=b_index,
                formal_member_count=members,
                probationary_member_count=1,
                has_committee=members >= 7,
                has_party_groups=members >= 15,
                term_start=datetime.date(2023 + b_index % 2, 1, 1),
                term_end=datetime.date(2026 + b_index % 2, 1, 1),
            )

    users: dict[str, User] = {}
    for username, full_name, role, org_name, _note in DEMO_USERS:
        user = _user(username, full_name, password=password)
        if role == Role.ADMIN:
            user.is_staff = user.is_superuser = True
            user.save()
        org = branches[org_name] if org_name else committee
        Membership.objects.create(user=user, organization=org, role=role)
        users[username] = user
    # A committee member (组织委员) for each branch: assignee of its measures, no login.
    assignees: dict[str, User] = {}
    for index, (name, branch) in enumerate(branches.items(), start=1):
        if not Membership.objects.filter(organization=branch, role=Role.SECRETARY).exists():
            secretary = _user(f"sec{index:02d}", f"{name[:2]}书记", password=None)
            Membership.objects.create(user=secretary, organization=branch, role=Role.SECRETARY)
        member = _user(f"member{index:02d}", f"{name[:2]}组织委员", password=None)
        Membership.objects.create(user=member, organization=branch, role=Role.MEMBER, title="组织委员")
        assignees[name] = member
    staff2 = _user("staff2", "陈静", password=password)
    Membership.objects.create(user=staff2, organization=committee, role=Role.STAFF)

    # A flushed database (tests, a restore gone wrong) has lost the categories and the measure library the
    # migrations wrote.
    ensure_standard_categories(Category)
    ensure_standard_measures(Category, StandardMeasure)
    _play_the_year(users=users, staff2=staff2, committee=committee, branches=branches, assignees=assignees)
    return users


# ---- a believable year ------------------------------------------------------------------------------
#
# Every record is written through the services at the moment it happened: the clock is moved to that
# moment (time-machine, installed with the requirements), so ``created_at``, ``closed_at``, the history's
# dates and the deadlines' lights are what a real committee's year would leave, and the dashboard's
# on-time rate, days to close and monthly trend read like one. Notifications are written after the seed
# commits, so they carry the day of the seed.


class _Clock:
    """Moments of the demo year: office hours on given days, never later than an hour ago."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.latest = timezone.now() - datetime.timedelta(hours=1)
        self.random = random.Random(2026)

    def at(self, day: datetime.date) -> datetime.datetime:
        hour = self.random.randint(9, 16)
        moment = datetime.datetime.combine(day, datetime.time(hour, self.random.randint(0, 59)))
        return min(timezone.make_aware(moment, ZoneInfo(settings.TIME_ZONE)), self.latest)

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)


@contextmanager
def _then(moment: datetime.datetime) -> Iterator[None]:
    import time_machine  # a development dependency: only the demo seed moves the clock

    with time_machine.travel(moment, tick=False):
        yield


def _play_the_year(
    *,
    users: dict[str, User],
    staff2: User,
    committee: Organization,
    branches: dict[str, Organization],
    assignees: dict[str, User],
) -> None:
    categories = {c.code: c for c in Category.objects.all()}
    clock = _Clock(local_today())
    staff, leader = users["staff"], users["leader"]
    for title, kind, started_days_ago, plan_name, findings in ROUNDS:
        start = clock.days_ago(started_days_ago)
        with _then(clock.at(start)):
            inspection = inspection_create(
                actor=staff,
                title=title,
                kind=kind,
                inspecting_org=committee,
                inspected_orgs=[],
                start_date=start,
                end_date=start + datetime.timedelta(days=20),
                feedback_date=start + datetime.timedelta(days=30),
                owners=[staff, staff2],
            )
        plan = PLANS[plan_name]
        step = 0
        found = start + datetime.timedelta(days=25)
        for category, branch_name, severity, description, basis, measures in findings:
            outcomes = [plan[(step + i) % len(plan)] for i in range(len(measures))]
            step += len(measures)
            with _then(clock.at(found)):
                finding = services.finding_file(
                    actor=staff,
                    inspection=inspection,
                    organization=branches[branch_name],
                    category=categories[category],
                    description=description,
                    basis=basis,
                    found_on=found,
                    severity=severity,
                    measures=[
                        services.MeasureInput(
                            measure=text,
                            kind=m_kind,
                            due_date=_deadline(outcome, found + datetime.timedelta(days=days), clock),
                            assignee=assignees[branch_name],
                            responsible_leader=leader,
                            # 长期坚持 reports each quarter (每季度末, the usual practice); its date is the stage goal.
                            report_cadence=ReportCadence.QUARTERLY if m_kind == RectificationKind.LONG_TERM else "",
                        )
                        for (text, m_kind, days), outcome in zip(measures, outcomes, strict=True)
                    ],
                )
            for rectification, outcome in zip(finding.rectifications.order_by("number"), outcomes, strict=True):
                _play(rectification, outcome, staff=staff, staff2=staff2, clock=clock, found=found)


def _deadline(outcome: str, planned: datetime.date, clock: _Clock) -> datetime.date:
    """The current round's open measures get the deadlines that put them in their state today."""
    wanted = {
        "pending": 40,
        "due_soon": 3,
        "extension": 10,
        "overdue": -10,
        "overdue_long": -35,
        "in_progress": 25,
        "submitted": 12,
        "returned": 18,
    }
    if outcome in wanted:
        return clock.today + datetime.timedelta(days=wanted[outcome])
    return planned


def _play(r: Rectification, outcome: str, *, staff: User, staff2: User, clock: _Clock, found: datetime.date) -> None:
    """Drive one measure through the services, each step on its own day of the year."""
    reporter = r.assignee
    due = r.due_date
    allotted = max((due - found).days, 4)

    last = found

    def day(offset: int) -> datetime.date:
        return found + datetime.timedelta(days=offset)

    def when(on: datetime.date) -> datetime.datetime:
        # Steps of one measure fall on successive days, whatever a short deadline leaves room for.
        nonlocal last
        last = max(on, last + datetime.timedelta(days=1))
        return clock.at(last)

    def progress(on: datetime.date, note: str = "已召开支委会专题研究整改方案，明确分工和时间节点。") -> None:
        with _then(when(on)):
            services.rectification_record_progress(
                actor=reporter, rectification=r, note=note, files=[_pdf("整改方案.pdf")]
            )

    def submit(on: datetime.date) -> None:
        with _then(when(on)):
            services.rectification_submit(
                actor=reporter,
                rectification=r,
                summary="整改措施已全部落实，相关制度和记录已整理归档。",
                files=[_pdf("整改佐证材料.pdf")],
            )

    def close(on: datetime.date, closer: User) -> None:
        with _then(when(on)):
            services.rectification_close(
                actor=closer, rectification=r, note="经查阅会议记录和台账，整改到位，同意销号。"
            )

    if outcome in {"pending", "due_soon"}:
        return
    first_step = day(max(2, allotted * 2 // 5))
    if outcome in {"in_progress", "overdue", "overdue_long", "submitted", "returned"}:
        progress(min(first_step, clock.days_ago(8)))
        if outcome == "submitted":
            submit(clock.days_ago(2))
        elif outcome == "returned":
            submit(clock.days_ago(6))
            with _then(when(clock.days_ago(4))):
                services.rectification_return(
                    actor=staff, rectification=r, reason="佐证材料只有方案，缺少会议记录和签到表，请补充后重新提交。"
                )
        return
    if outcome == "extension":
        progress(clock.days_ago(12))
        with _then(when(clock.days_ago(1))):
            services.extension_request(
                actor=reporter,
                rectification=r,
                new_due_date=max(due, clock.days_ago(1)) + datetime.timedelta(days=30),
                reason="涉及人员调整，需待党总支批复后方能完成。",
            )
        return
    if outcome == "on_time":
        # Closed before its deadline, and (in the current round) before today.
        early = clock.random.randint(1, max(1, min(10, allotted // 3)))
        closed_on = min(due - datetime.timedelta(days=early), clock.days_ago(3))
        progress(min(first_step, closed_on - datetime.timedelta(days=4)))
        submit(closed_on - datetime.timedelta(days=clock.random.randint(1, 2)))
        close(closed_on, staff2)
        return
    progress(first_step)
    if outcome == "late":
        closed_on = due + datetime.timedelta(days=clock.random.randint(5, 20))
        progress(due - datetime.timedelta(days=1), "整改进度滞后：相关制度尚在征求意见，正在抓紧推进。")
        submit(closed_on - datetime.timedelta(days=2))
        close(closed_on, staff)
    elif outcome == "extended":
        with _then(when(due - datetime.timedelta(days=6))):
            extension = services.extension_request(
                actor=reporter,
                rectification=r,
                new_due_date=due + datetime.timedelta(days=30),
                reason="需待上级党组织批复，申请延期一个月。",
            )
        with _then(when(due - datetime.timedelta(days=4))):
            services.extension_decide(actor=staff, extension=extension, approve=True, note="情况属实，同意延期。")
        closed_on = due + datetime.timedelta(days=24)
        submit(closed_on - datetime.timedelta(days=3))
        close(closed_on, staff2)
    elif outcome == "returned_then_closed":
        submit(due - datetime.timedelta(days=9))
        with _then(when(due - datetime.timedelta(days=8))):
            services.rectification_return(actor=staff, rectification=r, reason="请补充会议记录和签到表。")
        progress(due - datetime.timedelta(days=6), "已补充会议记录和签到表。")
        submit(due - datetime.timedelta(days=5))
        close(due - datetime.timedelta(days=3), staff2)
