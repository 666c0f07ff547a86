"""The rule check: which organisation breaks which rule in which period.

``Checker`` loads everything it needs in a fixed number of queries whatever the number of organisations
(one per kind of data, never one per organisation), then judges in Python. The nightly check and the
compliance view share it, so a light on screen and a suggestion in the queue never disagree.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet

from partyreview.organizations.models import Organization
from partyreview.orglife.models import (
    CURRENT_STATUSES,
    MeetingRecordType,
    MemberCategory,
    PartyMember,
    RuleSetting,
    TermExtension,
)
from partyreview.orglife.rules import (
    MEETING_RULES,
    NEAR_END_DAYS,
    PERIOD_WORDS,
    RED,
    YELLOW,
    Period,
    PeriodKind,
    RuleCode,
    RuleConfig,
    add_months,
    default_config,
    last_completed,
    month_start,
    months_between,
    period_of,
)

GREEN = 1


class RuleBook:
    """The rule table as configured: defaults from rules.py, overridden by RuleSetting rows (one query)."""

    def __init__(self, rows: Iterable[RuleSetting]) -> None:
        self._rows = {(row.organization_kind, row.rule): row for row in rows}
        self._configs: dict[tuple[str, str], RuleConfig] = {}

    @classmethod
    def load(cls) -> "RuleBook":
        return cls(RuleSetting.objects.all())

    def config(self, kind: str, code: str) -> RuleConfig:
        # Asked once per organisation and rule: thousands of times in a night, so remembered.
        key = (kind, code)
        if key not in self._configs:
            base = default_config(kind, code)
            row = self._rows.get(key)
            self._configs[key] = (
                base
                if row is None
                else RuleConfig(
                    rule=base.rule,
                    enabled=row.is_enabled,
                    period=row.period or base.period,
                    threshold=row.threshold,
                    term_years=row.term_years or base.term_years,
                )
            )
        return self._configs[key]

    def applies(self, organization: Organization, code: str) -> RuleConfig | None:
        """The rule's configuration when it applies to this organisation, else None.

        A branch without party groups is not asked for 党小组会, one without a committee not for 支委会.
        """
        cfg = self.config(organization.kind, code)
        if not cfg.enabled:
            return None
        if cfg.rule.needs and not getattr(organization, cfg.rule.needs):
            return None
        return cfg


class State:
    MET = "met"  # green
    PENDING = "pending"  # current period, not met yet
    MISSED = "missed"  # a completed period without the meetings the rule asks for
    WARN = "warn"  # a standing condition (dues, term, set-up) that breaks the rule
    NEW = "new"  # the organisation was founded during the period: not asked for it
    UNKNOWN = "unknown"  # nothing to judge by (no roster, no term recorded)


@dataclass(frozen=True)
class Verdict:
    """One rule judged for one organisation and one period."""

    organization: Organization
    config: RuleConfig
    period_key: str
    period_label: str
    period_start: datetime.date
    period_end: datetime.date  # last day, included
    state: str
    light: int | None  # 1 green, 2 yellow, 3 red; None for grey (not yet due, or nothing to judge)
    text: str  # short, for a cell of the compliance view
    description: str = ""  # the suggested finding's wording, for a breach

    @property
    def rule(self) -> str:
        return self.config.code

    @property
    def is_breach(self) -> bool:
        return self.state in (State.MISSED, State.WARN)

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.organization.pk, self.rule, self.period_key)


@dataclass(frozen=True)
class MemberArrears:
    """One member's standing in the dues ledger as of the last completed month."""

    member_id: int
    organization_id: int
    name: str
    category: str
    dues_from: datetime.date
    last_paid: datetime.date | None
    months_behind: int  # consecutive unpaid months ending with the last completed month
    unpaid_months: int  # all unpaid months since dues_from


def last_completed_month(today: datetime.date) -> datetime.date:
    """The month whose dues are last owed: the current month is not owed until it ends."""
    return add_months(month_start(today), -1)


def meeting_counts(organizations: QuerySet[Organization], periods: Iterable[Period]) -> dict[tuple[int, str, str], int]:
    """Meetings held, per (organisation, type, period key), for all the periods in one query.

    Periods are bounded by Beijing midnight, so a meeting at 23:30 on the last day of a quarter belongs
    to that quarter whatever the database's clock zone. Void records do not count.
    """
    periods = list(set(periods))
    if not periods:
        return {}
    start = min(p.bounds()[0] for p in periods)
    end = max(p.bounds()[1] for p in periods)
    buckets = {f"p{index}": period for index, period in enumerate(periods)}
    aggregates = {}
    for name, period in buckets.items():
        lo, hi = period.bounds()
        aggregates[name] = Count("pk", filter=Q(meeting__held_at__gte=lo, meeting__held_at__lt=hi))
    rows = (
        MeetingRecordType.objects.filter(
            meeting__organization__in=organizations.values("pk"),
            meeting__is_void=False,
            meeting__held_at__gte=start,
            meeting__held_at__lt=end,
        )
        .values("meeting__organization_id", "type")
        .annotate(**aggregates)
        .order_by()
    )
    counts: dict[tuple[int, str, str], int] = {}
    for row in rows:
        for name, period in buckets.items():
            if row[name]:
                counts[(row["meeting__organization_id"], row["type"], period.key)] = row[name]
    return counts


def member_arrears(organizations: QuerySet[Organization], last_month: datetime.date) -> list[MemberArrears]:
    """Each member who owes dues, with months behind as of ``last_month`` (one query).

    Payments for later months (paid in advance) neither count as arrears nor hide an earlier gap's
    total, but a member whose last paid month is ``last_month`` or later is not behind.
    """
    owed = Q(dues_payments__month__lte=last_month)
    rows = (
        PartyMember.objects.filter(
            organization__in=organizations.values("pk"), status__in=CURRENT_STATUSES, dues_exempt=False
        )
        .annotate(
            last_paid=Max("dues_payments__month", filter=owed),
            paid_count=Count("dues_payments", filter=owed & Q(dues_payments__month__gte=F("dues_from"))),
        )
        .values_list("pk", "organization_id", "name", "category", "dues_from", "last_paid", "paid_count")
        .order_by("organization_id", "name")
    )
    result = []
    for pk, org_id, name, category, dues_from, last_paid, paid_count in rows:
        first_unpaid = max(add_months(last_paid, 1), dues_from) if last_paid else dues_from
        result.append(
            MemberArrears(
                member_id=pk,
                organization_id=org_id,
                name=name,
                category=category,
                dues_from=dues_from,
                last_paid=last_paid,
                months_behind=months_between(first_unpaid, last_month),
                unpaid_months=max(months_between(dues_from, last_month) - paid_count, 0),
            )
        )
    return result


def member_counts(organizations: QuerySet[Organization]) -> dict[int, tuple[int, int]]:
    """(formal, probationary) members per organisation from the roster, for organisations that keep one."""
    rows = (
        PartyMember.objects.filter(organization__in=organizations.values("pk"), status__in=CURRENT_STATUSES)
        .values("organization_id")
        .annotate(
            formal=Count("pk", filter=Q(category=MemberCategory.FORMAL)),
            probationary=Count("pk", filter=Q(category=MemberCategory.PROBATIONARY)),
        )
        .order_by()
    )
    return {row["organization_id"]: (row["formal"], row["probationary"]) for row in rows}


def extensions_by_term(organizations: QuerySet[Organization]) -> dict[tuple[int, datetime.date], datetime.date]:
    """The latest approved extension per (organisation, term end it extends)."""
    rows = (
        TermExtension.objects.filter(organization__in=organizations.values("pk"))
        .values("organization_id", "term_end")
        .annotate(to=Max("extended_to"))
        .order_by()
    )
    return {(row["organization_id"], row["term_end"]): row["to"] for row in rows}


def base_term_end(organization: Organization, term_years: int) -> datetime.date | None:
    """本届任期届满日期 as recorded, or worked out from the start and the term length."""
    if organization.term_end:
        return organization.term_end
    if organization.term_start:
        return add_months(organization.term_start, 12 * term_years)
    return None


@dataclass(frozen=True)
class TermInfo:
    start: datetime.date | None
    base_end: datetime.date
    end: datetime.date  # honouring an approved extension
    extended: bool


class Checker:
    """Judges the rules for a set of organisations as of a day (Beijing time)."""

    def __init__(
        self, organizations: QuerySet[Organization], today: datetime.date, book: RuleBook | None = None
    ) -> None:
        self.queryset = organizations.filter(is_active=True)
        self.organizations = list(self.queryset.order_by("path"))
        self.today = today
        self.book = book or RuleBook.load()
        self._arrears: dict[int, list[MemberArrears]] | None = None
        self._counts: dict[int, tuple[int, int]] | None = None
        self._extensions: dict[tuple[int, datetime.date], datetime.date] | None = None

    # ---- loaded once, on first use ----

    def arrears(self) -> dict[int, list[MemberArrears]]:
        if self._arrears is None:
            grouped: dict[int, list[MemberArrears]] = defaultdict(list)
            for item in member_arrears(self.queryset, last_completed_month(self.today)):
                grouped[item.organization_id].append(item)
            self._arrears = grouped
        return self._arrears

    def roster_counts(self) -> dict[int, tuple[int, int]]:
        if self._counts is None:
            self._counts = member_counts(self.queryset)
        return self._counts

    def term(self, organization: Organization, term_years: int) -> TermInfo | None:
        if self._extensions is None:
            self._extensions = extensions_by_term(self.queryset)
        base = base_term_end(organization, term_years)
        if base is None:
            return None
        extended_to = self._extensions.get((organization.pk, base))
        end = max(base, extended_to) if extended_to else base
        return TermInfo(start=organization.term_start, base_end=base, end=end, extended=end != base)

    def _meeting_configs(self) -> list[tuple[Organization, RuleConfig]]:
        return [
            (org, cfg)
            for org in self.organizations
            for code in MEETING_RULES
            if (cfg := self.book.applies(org, code)) is not None
        ]

    # ---- the two readings ----

    def completed_verdicts(self, lookback: int = 1) -> list[Verdict]:
        """Meeting rules over the last ``lookback`` completed periods, and the standing rules as of today:
        what the nightly check turns into suggestions."""
        pairs = self._meeting_configs()
        periods_by_kind: dict[str, list[Period]] = {}
        for kind in {cfg.period for _, cfg in pairs}:
            period = last_completed(kind, self.today)
            periods_by_kind[kind] = []
            for _ in range(max(lookback, 1)):
                periods_by_kind[kind].append(period)
                period = period.previous()
        counts = meeting_counts(self.queryset, [p for ps in periods_by_kind.values() for p in ps])
        verdicts = []
        for org, cfg in pairs:
            for period in periods_by_kind[cfg.period]:
                verdicts.append(self._completed_meeting(org, cfg, period, counts))
        verdicts.extend(self.standing_verdicts())
        return verdicts

    def current_verdicts(self) -> list[Verdict]:
        """Meeting rules for the current period (with the previous one for context), and the standing rules:
        what the compliance view shows."""
        pairs = self._meeting_configs()
        periods = set()
        for kind in {cfg.period for _, cfg in pairs}:
            current = period_of(kind, self.today)
            periods.update({current, current.previous()})
        counts = meeting_counts(self.queryset, periods)
        verdicts = [self._current_meeting(org, cfg, counts) for org, cfg in pairs]
        verdicts.extend(self.standing_verdicts())
        return verdicts

    # ---- meetings ----

    @staticmethod
    def _asked_for(organization: Organization, period: Period) -> bool:
        """A period counts only when the organisation existed on its first day: a branch founded
        mid-quarter is asked from its first full month, quarter and year (docs/decisions/orglife-rules.md)."""
        return organization.founded_on is None or organization.founded_on <= period.start

    def _verdict(
        self,
        org: Organization,
        cfg: RuleConfig,
        period: Period,
        state: str,
        light: int | None,
        text: str,
        desc: str = "",
    ) -> Verdict:
        return Verdict(
            organization=org,
            config=cfg,
            period_key=period.key,
            period_label=period.label,
            period_start=period.start,
            period_end=period.last_day,
            state=state,
            light=light,
            text=text,
            description=desc,
        )

    def _completed_meeting(
        self, org: Organization, cfg: RuleConfig, period: Period, counts: dict[tuple[int, str, str], int]
    ) -> Verdict:
        if not self._asked_for(org, period):
            return self._verdict(org, cfg, period, State.NEW, None, "成立当期不作要求")
        held = counts.get((org.pk, cfg.code, period.key), 0)
        if held >= cfg.threshold:
            return self._verdict(org, cfg, period, State.MET, GREEN, f"已开{held}次")
        unit = PeriodKind(cfg.period).label
        desc = (
            f"{period.label}，{org.name}召开{cfg.rule.label}{held}次，"
            f"未达到每{unit}至少{cfg.threshold}次的要求（{cfg.rule.basis}）。"
        )
        return self._verdict(org, cfg, period, State.MISSED, cfg.rule.light, f"开{held}次", desc)

    def _current_meeting(self, org: Organization, cfg: RuleConfig, counts: dict[tuple[int, str, str], int]) -> Verdict:
        period = period_of(cfg.period, self.today)
        word = PERIOD_WORDS[cfg.period]
        if not self._asked_for(org, period):
            return self._verdict(org, cfg, period, State.NEW, None, "成立当期不作要求")
        held = counts.get((org.pk, cfg.code, period.key), 0)
        if held >= cfg.threshold:
            return self._verdict(org, cfg, period, State.MET, GREEN, f"{word}已开{held}次")
        previous = period.previous()
        previous_missed = (
            self._asked_for(org, previous) and counts.get((org.pk, cfg.code, previous.key), 0) < cfg.threshold
        )
        days_left = (period.end - self.today).days
        if previous_missed:
            light, text = RED, f"上期未开，{word}尚需"
        elif days_left <= NEAR_END_DAYS[cfg.period]:
            light, text = YELLOW, f"{word}尚需（剩{days_left}天）"
        else:
            light, text = None, f"{word}尚需"
        return self._verdict(org, cfg, period, State.PENDING, light, text)

    # ---- standing rules: dues, terms, set-up ----

    def standing_verdicts(self) -> list[Verdict]:
        verdicts: list[Verdict] = []
        for org in self.organizations:
            verdicts.extend(self._dues(org))
            verdicts.extend(self.term_verdicts(org))
            verdicts.extend(self._setup(org))
        return verdicts

    def _standing(
        self, org: Organization, cfg: RuleConfig, state: str, light: int | None, text: str, desc: str = ""
    ) -> Verdict:
        """A standing rule's verdict, for the period its setting counts in that holds today."""
        return self._verdict(org, cfg, period_of(cfg.period, self.today), state, light, text, desc)

    def _dues(self, org: Organization) -> list[Verdict]:
        yellow = self.book.applies(org, RuleCode.DUES_ARREARS)
        red = self.book.applies(org, RuleCode.DUES_LONG_ARREARS)
        if yellow is None and red is None:
            return []
        members = self.arrears().get(org.pk, [])
        has_roster = org.pk in self.roster_counts() or bool(members)
        last_month = last_completed_month(self.today)
        as_of = f"截至{last_month.year}年{last_month.month}月"
        verdicts = []
        red_from = red.threshold if red else None
        for cfg in (red, yellow):
            if cfg is None:
                continue
            if not has_roster:
                verdicts.append(self._standing(org, cfg, State.UNKNOWN, None, "未建党员名册"))
                continue
            upper = red_from if cfg is yellow and red_from else None
            behind = [
                m for m in members if m.months_behind >= cfg.threshold and (upper is None or m.months_behind < upper)
            ]
            if not behind:
                verdicts.append(self._standing(org, cfg, State.MET, GREEN, "按月交纳"))
                continue
            names = "、".join(f"{m.name}（{m.months_behind}个月）" for m in behind[:20])
            more = f"等{len(behind)}人" if len(behind) > 20 else ""
            if cfg is red:
                desc = (
                    f"{as_of}，{org.name}有{len(behind)}名党员连续{cfg.threshold}个月以上未交纳党费：{names}{more}。"
                    "依照党章第九条，须由支部研究了解原因、提出处理意见（系统不作自动处理）。"
                )
            else:
                desc = f"{as_of}，{org.name}有{len(behind)}名党员连续{cfg.threshold}个月以上未交纳党费：{names}{more}。"
            text = f"{len(behind)}人欠缴≥{cfg.threshold}个月"
            verdicts.append(self._standing(org, cfg, State.WARN, cfg.rule.light, text, desc))
        return verdicts

    def term_verdicts(self, org: Organization) -> list[Verdict]:
        ending = self.book.applies(org, RuleCode.TERM_ENDING)
        expired = self.book.applies(org, RuleCode.TERM_EXPIRED)
        if ending is None and expired is None:
            return []
        years = (ending or expired).term_years
        info = self.term(org, years)
        verdicts = []
        for cfg in (expired, ending):
            if cfg is None:
                continue
            if info is None:
                verdicts.append(self._standing(org, cfg, State.UNKNOWN, None, "未登记任期"))
                continue
            verdicts.append(self._term_verdict(org, cfg, info))
        return verdicts

    def _term_verdict(self, org: Organization, cfg: RuleConfig, info: TermInfo) -> Verdict:
        note = f"（经批准由{info.base_end:%Y-%m-%d}延至{info.end:%Y-%m-%d}）" if info.extended else ""
        is_expired = self.today > info.end
        state, light, text, desc = State.MET, GREEN, f"{info.end:%Y-%m-%d}届满", ""
        if cfg.code == RuleCode.TERM_EXPIRED and self.today > info.end + datetime.timedelta(days=cfg.threshold):
            state, light, text = State.WARN, cfg.rule.light, f"已于{info.end:%Y-%m-%d}届满"
            desc = f"{org.name}本届任期已于{info.end:%Y年%m月%d日}届满{note}，尚未换届。"
        elif cfg.code == RuleCode.TERM_ENDING and not is_expired and self.today >= add_months(info.end, -cfg.threshold):
            state, light, text = State.WARN, cfg.rule.light, f"将于{info.end:%Y-%m-%d}届满"
            desc = f"{org.name}本届任期将于{info.end:%Y年%m月%d日}届满{note}，请提前做好换届准备。"
        elif is_expired:
            # Expired but within the grace days: the expired rule speaks for it, not this one.
            text = f"已于{info.end:%Y-%m-%d}届满"
        return Verdict(
            organization=org,
            config=cfg,
            # Raised once per term: a new term or an approved extension gives a new end and a new key.
            period_key=f"term-{info.end:%Y%m%d}",
            period_label=f"{info.end:%Y年%m月%d日}届满的一届",
            period_start=info.start or info.end,
            period_end=info.end,
            state=state,
            light=light,
            text=text + ("（已延期）" if info.extended else ""),
            description=desc,
        )

    def member_numbers(self, org: Organization) -> tuple[int, int]:
        """(formal, probationary): from the roster when the branch keeps one, else the organisation's figures."""
        return self.roster_counts().get(org.pk, (org.formal_member_count, org.probationary_member_count))

    def _setup(self, org: Organization) -> list[Verdict]:
        verdicts = []
        formal, probationary = self.member_numbers(org)
        cfg = self.book.applies(org, RuleCode.COMMITTEE_MISSING)
        if cfg is not None:
            if formal >= cfg.threshold and not org.has_committee:
                desc = (
                    f"{org.name}有正式党员{formal}名，已达到应设立支部委员会的人数（{cfg.threshold}名），但未设支委会。"
                )
                verdicts.append(self._standing(org, cfg, State.WARN, cfg.rule.light, "应设未设支委会", desc))
            else:
                verdicts.append(self._standing(org, cfg, State.MET, GREEN, "已设" if org.has_committee else "无需设立"))
        cfg = self.book.applies(org, RuleCode.BRANCH_TOO_LARGE)
        if cfg is not None:
            total = formal + probationary
            if total > cfg.threshold:
                desc = f"{org.name}有党员{total}名，超过{cfg.threshold}名，应研究分设党支部。"
                verdicts.append(self._standing(org, cfg, State.WARN, cfg.rule.light, f"党员{total}人", desc))
            else:
                verdicts.append(self._standing(org, cfg, State.MET, GREEN, f"党员{total}人"))
        return verdicts
