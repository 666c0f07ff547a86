"""The organisational-life rule table (组织生活规则) and the calendar periods the rules count in.

No database here: the rule defaults as read from the Party's regulations (docs/decisions/orglife-rules.md),
and periods (month, quarter, year) in Asia/Shanghai. ``RuleSetting`` rows override the defaults per
organisation kind.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from partyreview.organizations.models import OrganizationKind


class PeriodKind(models.TextChoices):
    MONTH = "month", "月"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年"


PERIOD_WORDS = {PeriodKind.MONTH: "本月", PeriodKind.QUARTER: "本季度", PeriodKind.YEAR: "本年度"}
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
# How close to its end an unmet current period turns yellow in the compliance view.
NEAR_END_DAYS = {PeriodKind.MONTH: 7, PeriodKind.QUARTER: 15, PeriodKind.YEAR: 30}


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def months_between(first: datetime.date, last: datetime.date) -> int:
    """Calendar months from ``first``'s month through ``last``'s month, both included (0 if last < first)."""
    return max((last.year - first.year) * 12 + last.month - first.month + 1, 0)


def local_midnight(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Beijing time: the boundary between two local days."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year; ``end`` is the first day after it."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}季度"
        return f"{self.start.year}年"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day < self.end

    def previous(self) -> "Period":
        return period_of(self.kind, self.start - datetime.timedelta(days=1))

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The aware instants [start, end) in Beijing time, to filter DateTimeFields with."""
        return local_midnight(self.start), local_midnight(self.end)


def period_of(kind: str, day: datetime.date) -> Period:
    if kind == PeriodKind.MONTH:
        start = month_start(day)
        return Period(kind, start, add_months(start, 1))
    if kind == PeriodKind.QUARTER:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(kind, start, add_months(start, 3))
    if kind == PeriodKind.YEAR:
        return Period(kind, datetime.date(day.year, 1, 1), datetime.date(day.year + 1, 1, 1))
    raise ValueError(f"unknown period kind {kind!r}")


def last_completed(kind: str, today: datetime.date) -> Period:
    return period_of(kind, today).previous()


class RuleCode(models.TextChoices):
    # Meeting rules share their code with the MeetingType they count.
    BRANCH_ASSEMBLY = "branch_assembly", "支部党员大会"
    COMMITTEE_MEETING = "committee_meeting", "支委会"
    GROUP_MEETING = "group_meeting", "党小组会"
    THEME_DAY = "theme_day", "主题党日"
    PARTY_LECTURE = "party_lecture", "党课"
    LIFE_MEETING = "life_meeting", "组织生活会"
    MEMBER_REVIEW = "member_review", "民主评议党员"
    DUES_ARREARS = "dues_arrears", "党费欠缴"
    DUES_LONG_ARREARS = "dues_long_arrears", "连续未交党费"
    TERM_ENDING = "term_ending", "任期即将届满"
    TERM_EXPIRED = "term_expired", "任期届满未换届"
    COMMITTEE_MISSING = "committee_missing", "应设未设支委会"
    BRANCH_TOO_LARGE = "branch_too_large", "支部党员人数过多"


class RuleFamily:
    MEETING = "meeting"
    DUES = "dues"
    TERM = "term"
    SETUP = "setup"


YELLOW, RED = 2, 3


@dataclass(frozen=True)
class Rule:
    """One row of the rule table: what it checks, its defaults, and what a breach becomes."""

    code: str
    family: str
    period: str  # meetings: the frequency; other rules: how often a standing breach is raised again
    threshold: int
    light: int
    category: str  # Category.code of the suggested finding
    basis: str
    measure: str  # the measure suggested when staff confirm
    kinds: frozenset[str]  # organisation kinds the rule is enabled for by default
    needs: str = ""  # an Organization flag that must be true for the rule to apply
    threshold_help: str = ""

    @property
    def label(self) -> str:
        return RuleCode(self.code).label


BRANCH_ONLY = frozenset({OrganizationKind.BRANCH})
ALL_KINDS = frozenset(OrganizationKind.values)
REGULATION = "《中国共产党支部工作条例（试行）》"
MEETING_MEASURE = "严格落实“三会一课”制度，查明未按期召开{label}的原因，制定年度计划并按期召开，会议记录及时归档。"

RULES: dict[str, Rule] = {
    r.code: r
    for r in [
        Rule(
            RuleCode.BRANCH_ASSEMBLY,
            RuleFamily.MEETING,
            PeriodKind.QUARTER,
            1,
            RED,
            "meeting_lapses",
            f"{REGULATION}第十一条",
            MEETING_MEASURE,
            BRANCH_ONLY,
        ),
        Rule(
            RuleCode.COMMITTEE_MEETING,
            RuleFamily.MEETING,
            PeriodKind.MONTH,
            1,
            RED,
            "meeting_lapses",
            f"{REGULATION}第十二条",
            MEETING_MEASURE,
            BRANCH_ONLY,
            needs="has_committee",
        ),
        Rule(
            RuleCode.GROUP_MEETING,
            RuleFamily.MEETING,
            PeriodKind.MONTH,
            1,
            RED,
            "meeting_lapses",
            f"{REGULATION}第十三条",
            MEETING_MEASURE,
            BRANCH_ONLY,
            needs="has_party_groups",
        ),
        Rule(
            RuleCode.THEME_DAY,
            RuleFamily.MEETING,
            PeriodKind.MONTH,
            1,
            RED,
            "meeting_lapses",
            REGULATION,
            MEETING_MEASURE,
            BRANCH_ONLY,
        ),
        Rule(
            RuleCode.PARTY_LECTURE,
            RuleFamily.MEETING,
            PeriodKind.QUARTER,
            1,
            RED,
            "meeting_lapses",
            "本单位“三会一课”制度（各地规定不一）",
            MEETING_MEASURE,
            BRANCH_ONLY,
        ),
        Rule(
            RuleCode.LIFE_MEETING,
            RuleFamily.MEETING,
            PeriodKind.YEAR,
            1,
            RED,
            "meeting_lapses",
            REGULATION,
            MEETING_MEASURE,
            BRANCH_ONLY,
        ),
        Rule(
            RuleCode.MEMBER_REVIEW,
            RuleFamily.MEETING,
            PeriodKind.YEAR,
            1,
            RED,
            "meeting_lapses",
            REGULATION,
            MEETING_MEASURE,
            BRANCH_ONLY,
        ),
        Rule(
            RuleCode.DUES_ARREARS,
            RuleFamily.DUES,
            PeriodKind.QUARTER,
            3,
            YELLOW,
            "dues_arrears",
            "《关于中国共产党党费收缴、使用和管理的规定》（2008）",
            "逐一提醒欠缴党员按时足额交纳党费，建立按月登记的党费台账，支委会每月核对一次。",
            BRANCH_ONLY,
            threshold_help="连续未交满几个月亮黄灯",
        ),
        Rule(
            RuleCode.DUES_LONG_ARREARS,
            RuleFamily.DUES,
            PeriodKind.QUARTER,
            6,
            RED,
            "dues_arrears",
            "《中国共产党章程》第九条；《关于中国共产党党费收缴、使用和管理的规定》（2008）",
            "支部委员会逐一谈话了解未交党费原因，依照党章第九条研究提出处理意见，报上级党组织审定。",
            BRANCH_ONLY,
            threshold_help="连续未交满几个月亮红灯（由支部研究处理，系统不作自动处理）",
        ),
        Rule(
            RuleCode.TERM_ENDING,
            RuleFamily.TERM,
            PeriodKind.YEAR,
            6,
            YELLOW,
            "election_overdue",
            "《关于党的基层组织任期的意见》（2018）",
            "制定换届工作方案，提前报上级党组织批准，按期组织换届选举。",
            ALL_KINDS,
            threshold_help="届满前几个月亮黄灯",
        ),
        Rule(
            RuleCode.TERM_EXPIRED,
            RuleFamily.TERM,
            PeriodKind.YEAR,
            0,
            RED,
            "election_overdue",
            "《关于党的基层组织任期的意见》（2018）",
            "立即制定换届工作方案，报上级党组织批准后组织换届选举；确需延期的，按程序报批。",
            ALL_KINDS,
            threshold_help="届满后宽限天数（0 表示届满次日即亮红灯）",
        ),
        Rule(
            RuleCode.COMMITTEE_MISSING,
            RuleFamily.SETUP,
            PeriodKind.YEAR,
            7,
            RED,
            "weak_leadership",
            REGULATION,
            "按程序选举产生支部委员会（3至5人，最多不超过7人），明确分工并报上级党组织审批。",
            BRANCH_ONLY,
            threshold_help="正式党员达到几人应设支委会",
        ),
        Rule(
            RuleCode.BRANCH_TOO_LARGE,
            RuleFamily.SETUP,
            PeriodKind.YEAR,
            50,
            YELLOW,
            "member_management",
            REGULATION,
            "研究分设党支部或划分党小组，报上级党组织批准，确保每名党员纳入有效管理。",
            BRANCH_ONLY,
            threshold_help="党员超过几人提示分设",
        ),
    ]
}

MEETING_RULES = [code for code, rule in RULES.items() if rule.family == RuleFamily.MEETING]
TERM_RULES = [RuleCode.TERM_ENDING, RuleCode.TERM_EXPIRED]

# 关于党的基层组织任期的意见 (2018): used only when an organisation records a term start but no end.
DEFAULT_TERM_YEARS = {OrganizationKind.COMMITTEE: 5, OrganizationKind.GENERAL_BRANCH: 3, OrganizationKind.BRANCH: 3}


@dataclass(frozen=True)
class RuleConfig:
    """A rule as configured for one organisation kind: the defaults, overridden by a RuleSetting row."""

    rule: Rule
    enabled: bool
    period: str
    threshold: int
    term_years: int

    @property
    def code(self) -> str:
        return self.rule.code


def default_config(kind: str, code: str) -> RuleConfig:
    rule = RULES[code]
    return RuleConfig(
        rule=rule,
        enabled=kind in rule.kinds,
        period=rule.period,
        threshold=rule.threshold,
        term_years=DEFAULT_TERM_YEARS.get(kind, 3),
    )
