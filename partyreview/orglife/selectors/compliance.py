"""The compliance view (branches × rules for the current period) and the leads' summary card."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from partyreview.organizations.models import Organization, OrganizationKind
from partyreview.orglife.models import Breach, BreachStatus
from partyreview.orglife.rules import MEETING_RULES, PERIOD_WORDS, RED, RULES, YELLOW, PeriodKind, RuleCode
from partyreview.orglife.selectors.checker import GREEN, Checker, RuleBook, State, TermInfo, Verdict

# The cache topic of what is counted here (``common.generations``): the summary card on the leads' dashboard
# is kept until one of these changes (orglife/apps.py watches them; services bump it after bulk writes).
GENERATION = "orglife"
COUNTED_MODELS = (
    "organizations.Organization",
    "orglife.MeetingRecord",
    "orglife.MeetingRecordType",
    "orglife.PartyMember",
    "orglife.DuesPayment",
    "orglife.TermExtension",
    "orglife.RuleSetting",
    "orglife.Breach",
)

# Columns of the compliance view: one per meeting rule, then dues, terms and set-up, each combining two rules.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    *[(code, RULES[code].label, (code,)) for code in MEETING_RULES],
    ("dues", "党费", (RuleCode.DUES_ARREARS, RuleCode.DUES_LONG_ARREARS)),
    ("term", "换届", (RuleCode.TERM_ENDING, RuleCode.TERM_EXPIRED)),
    ("setup", "组织设置", (RuleCode.COMMITTEE_MISSING, RuleCode.BRANCH_TOO_LARGE)),
]


MEETING_LABEL_ORDER = {RULES[code].label: index for index, code in enumerate(MEETING_RULES)}


def _rank(light: int | None) -> int:
    # Worst first: red, yellow, then green; grey (not yet due) weighs like green.
    return {RED: 3, YELLOW: 2}.get(light, 1)


@dataclass
class Cell:
    light: int | None
    text: str
    state: str

    @property
    def is_grey(self) -> bool:
        return self.light is None


@dataclass
class BranchCompliance:
    """One organisation's row in the compliance view."""

    organization: Organization
    cells: dict[str, Cell] = field(default_factory=dict)
    # "本月" → [支委会, 主题党日]: current-period meetings still needed.
    needed: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[Verdict] = field(default_factory=list)

    @property
    def light(self) -> int:
        worst = max((_rank(c.light) for c in self.cells.values()), default=1)
        return {3: RED, 2: YELLOW}.get(worst, GREEN)

    @property
    def needed_lines(self) -> list[tuple[str, str]]:
        return [(word, "、".join(labels)) for word, labels in self.needed.items() if labels]

    def cell_pairs(self) -> list[tuple[str, str, Cell | None]]:
        """(column key, column label, cell) in column order; the cell is None where no rule of it applies."""
        return [(key, label, self.cells.get(key)) for key, label, _rules in COLUMNS]


def compliance(
    organizations: QuerySet[Organization], today: datetime.date, book: RuleBook | None = None
) -> list[BranchCompliance]:
    """The compliance view's rows for these organisations (a fixed number of queries)."""
    checker = Checker(organizations, today, book)
    rows = {org.pk: BranchCompliance(organization=org) for org in checker.organizations}
    column_of = {rule: key for key, _label, rules in COLUMNS for rule in rules}
    by_cell: dict[tuple[int, str], list[Verdict]] = defaultdict(list)
    for verdict in checker.current_verdicts():
        by_cell[(verdict.organization.pk, column_of[verdict.rule])].append(verdict)
    order = [PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR]
    for (org_id, key), verdicts in by_cell.items():
        row = rows[org_id]
        worst = max(verdicts, key=lambda v: (_rank(v.light), v.state != State.MET))
        row.cells[key] = Cell(light=worst.light, text=worst.text, state=worst.state)
        for v in verdicts:
            if v.state == State.PENDING:
                row.needed.setdefault(PERIOD_WORDS[v.config.period], []).append(v.config.rule.label)
            elif v.state == State.WARN:
                row.warnings.append(v)
    for row in rows.values():
        row.needed = {PERIOD_WORDS[k]: row.needed[PERIOD_WORDS[k]] for k in order if PERIOD_WORDS[k] in row.needed}
        for labels in row.needed.values():
            labels.sort(key=MEETING_LABEL_ORDER.get)
    return list(rows.values())


@dataclass(frozen=True)
class ComplianceSummary:
    """The leads' dashboard card: how many branches stand at each light, and the suggestions waiting."""

    total: int
    red: int
    yellow: int
    green: int
    pending_breaches: int
    by_column: list[tuple[str, int]]  # (column label, branches not green)


def compliance_summary(
    organizations: QuerySet[Organization], today: datetime.date, breaches: QuerySet[Breach]
) -> ComplianceSummary:
    rows = compliance(organizations.filter(kind=OrganizationKind.BRANCH), today)
    lights = [row.light for row in rows]
    by_column = []
    for key, label, _rules in COLUMNS:
        bad = sum(1 for row in rows if key in row.cells and row.cells[key].light in (RED, YELLOW))
        if bad:
            by_column.append((label, bad))
    return ComplianceSummary(
        total=len(rows),
        red=lights.count(RED),
        yellow=lights.count(YELLOW),
        green=lights.count(GREEN),
        pending_breaches=breaches.filter(status=BreachStatus.SUGGESTED).count(),
        by_column=by_column,
    )


@dataclass(frozen=True)
class TermRow:
    organization: Organization
    info: TermInfo | None
    light: int | None
    text: str


def term_overview(organizations: QuerySet[Organization], today: datetime.date) -> list[TermRow]:
    """Every organisation's current term, with the approved extension if any, and its light."""
    checker = Checker(organizations, today)
    rows = []
    for org in checker.organizations:
        verdicts = checker.term_verdicts(org)
        cfg = checker.book.config(org.kind, RuleCode.TERM_ENDING)
        info = checker.term(org, cfg.term_years)
        worst = max(verdicts, key=lambda v: _rank(v.light), default=None)
        rows.append(
            TermRow(
                organization=org,
                info=info,
                light=worst.light if worst else None,
                text=worst.text if worst else ("未登记任期" if info is None else ""),
            )
        )
    return rows
