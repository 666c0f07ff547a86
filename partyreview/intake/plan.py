"""导入计划：source rows (from any reader) checked against the database, before anything is written.

``plan_rows`` takes the readers' ``list[SourceRow]`` and says, all at once, what an import would create:
the findings with their measures, every reading of a cell in words beside its raw text, what was assumed,
warnings, and errors (row, column, Chinese reason). It reads the database in a fixed number of queries
and writes nothing. The browser's preview, ``manage.py import_findings --dry-run --json`` and the writer
all use this one plan (docs/decisions/import-format.md says what is read how, and why).

What never refuses a row: a category name (the problem's text decides), a person the system does not know
(the measure goes to the branch's secretary as 待指派, the named person kept), a unit that is no party
organisation (kept as 责任部门 under the finding's organisation), a deadline without a date (the
category's default from the feedback date, marked as assumed). What does: a row without a problem or a
measure, an organisation outside the inspection or the user's scope, a deadline before the problem.
"""

import datetime
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.inspections.models import Category, Finding, Inspection, Severity
from partyreview.intake.categories import CategoryResolver
from partyreview.intake.fields import Field, SourceRow
from partyreview.intake.readings import (
    ProgressState,
    cell_text,
    read_deadline,
    read_people,
    read_progress,
    read_sequence,
    read_units,
    split_measures,
    unit_stem,
)
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.rectifications.models import RectificationKind, RectificationStatus, ReportCadence

# A category an administrator left without a default deadline: the standard categories' middle value.
DEFAULT_DAYS = 60
KIND_BY_LABEL = {label: value for value, label in RectificationKind.choices}
SEVERITY_BY_LABEL = {label: value for value, label in Severity.choices}


@dataclass(frozen=True)
class Issue:
    """One thing to tell about one cell: where a person finds it and what it is, in Chinese.

    ``row`` is the source's row number (Excel's, or a document's paragraph); ``column`` the field's
    label (问题描述, 整改时限 …) or "" for the row as a whole."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}：{self.message}"

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Reading:
    """A cell shown in the preview: its raw text, what it was read as, and whether that was assumed."""

    field: str
    raw: str
    reading: str
    assumed: bool = False


@dataclass
class MeasurePlan:
    row: int
    measure: str
    kind: str
    due_date: datetime.date
    assignee: User
    responsible_leader: User | None = None
    department: str = ""
    named_assignee: str = ""
    cadence: str | None = None
    progress_note: str = ""
    status: str = RectificationStatus.PENDING
    readings: list[Reading] = field(default_factory=list)
    # Which measure of a cell split into several this is (1-based), and how many there were.
    part: int = 1
    parts: int = 1

    @property
    def is_awaiting_assignment(self) -> bool:
        return bool(self.named_assignee)

    def get_kind_display(self) -> str:
        return RectificationKind(self.kind).label

    def get_status_display(self) -> str:
        return RectificationStatus(self.status).label

    @property
    def cadence_label(self) -> str:
        return ReportCadence(self.cadence).label if self.cadence else ""


@dataclass
class FindingPlan:
    key: str
    row: int
    rows: list[int]
    sequence: int
    organization: Organization
    category: Category
    category_reason: str
    category_exact: bool
    description: str
    found_on: datetime.date
    severity: str = Severity.MINOR
    basis: str = ""
    group: str = ""
    measures: list[MeasurePlan] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    # The sequence the source gave, when the import had to give another (collision with an existing one).
    source_sequence: int | None = None

    def get_severity_display(self) -> str:
        return Severity(self.severity).label


@dataclass(frozen=True)
class SkippedFinding:
    row: int
    description: str
    note: str


@dataclass
class Plan:
    """What an import would do: findings to create, duplicates left out, and everything to tell."""

    findings: list[FindingPlan]
    skipped: list[SkippedFinding]
    errors: list[Issue]
    warnings: list[Issue]
    row_count: int
    # A feedback document's parts that are not problems (preamble, 整改意见建议, signature …), for the preview.
    left_out: list[Any] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def measure_count(self) -> int:
        return sum(len(f.measures) for f in self.findings)

    def as_json(self) -> dict[str, Any]:
        """The plan as #18's JSON: what ``import_findings --dry-run --json`` prints."""
        return {
            "findings": [
                {
                    "row": f.row,
                    "organization": f.organization.name,
                    "category": f.category.code,
                    "description": f.description,
                    "measures": [
                        {
                            "measure": m.measure,
                            "due_date": m.due_date.isoformat() if m.due_date else None,
                            "kind": m.kind,
                            "assignee": None if m.named_assignee else m.assignee.username,
                            "department": m.department,
                            # 长期坚持's reporting cadence, carried here until Rectification stores it.
                            "cadence": m.cadence,
                        }
                        for m in f.measures
                    ],
                }
                for f in self.findings
            ],
            "errors": [e.as_json() for e in self.errors],
            "warnings": [w.as_json() for w in self.warnings],
            # Feedback documents only: what was left out, by paragraph, and why.
            **(
                {"left_out": [{"row": p.number, "text": p.text, "reason": p.reason} for p in self.left_out]}
                if self.left_out
                else {}
            ),
        }


@dataclass(frozen=True)
class Choices:
    """What the user decided in the preview: measures kept as one, categories chosen, by finding key."""

    keep_whole: Collection[str] = ()
    categories: Mapping[str, str] = field(default_factory=dict)


def _label(f: Field) -> str:
    return Field(f).label


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


class _Lookups:
    """Everything the rows refer to, read in a fixed number of queries whatever the row count."""

    def __init__(self, *, actor: User, inspection: Inspection, rows: Sequence[SourceRow]) -> None:
        self.actor = actor
        self.inspection = inspection
        within = organizations_visible_to(actor, roles={Role.STAFF}).filter(
            path__startswith=inspection.inspecting_org.path, is_active=True
        )
        self.orgs = list(within)
        self.orgs_by_id = {o.pk: o for o in self.orgs}
        self.inspected = [o for o in inspection.inspected_orgs.all() if o.pk in self.orgs_by_id]
        # Looked up by dict, not by scanning: a ledger of thousands of rows names the same few every time.
        self._inspected_ids = {o.pk for o in self.inspected}
        self._by_code: dict[str, list[Organization]] = {}
        self._by_name: dict[str, list[Organization]] = {}
        self._by_stem: dict[str, list[Organization]] = {}
        for o in self.orgs:
            self._by_code.setdefault(o.code, []).append(o)
            self._by_name.setdefault(o.name, []).append(o)
            self._by_stem.setdefault(unit_stem(o.name), []).append(o)
        self._organization_of: dict[str, Organization | None] = {}
        self._people_of: dict[str, list[str]] = {}
        self._secretary_of: dict[int, User | None] = {}
        names: set[str] = set()
        for row in rows:
            for f in (Field.ASSIGNEE, Field.LEADER):
                names.update(self.people(row.values.get(f)))
        self.users = list(
            User.objects.filter(is_active=True, full_name__in=names) | User.objects.filter(username__in=names)
        )
        self._by_username: dict[str, list[User]] = {}
        self._by_full_name: dict[str, list[User]] = {}
        for u in self.users:
            self._by_username.setdefault(u.username, []).append(u)
            self._by_full_name.setdefault(u.full_name, []).append(u)
        self.paths: dict[int, list[str]] = {}
        self.secretaries: dict[int, list[User]] = {}
        users_by_id = {u.pk: u for u in self.users}
        for membership in Membership.objects.filter(user__in=self.users).select_related("organization"):
            self.paths.setdefault(membership.user_id, []).append(membership.organization.path)
        for membership in Membership.objects.filter(
            role=Role.SECRETARY, organization__in=self.orgs, user__is_active=True
        ).select_related("user"):
            users_by_id.setdefault(membership.user_id, membership.user)
            self.secretaries.setdefault(membership.organization_id, []).append(membership.user)
        self.actor_paths = list(Membership.objects.filter(user=actor).values_list("organization__path", flat=True))
        self.resolver = CategoryResolver(Category.objects.filter(is_active=True).order_by("sort_order", "id"))
        self.existing = {
            (org_id, _norm_text(text))
            for org_id, text in Finding.objects.filter(inspection=inspection).values_list(
                "organization_id", "description"
            )
        }
        self.used_sequences = set(Finding.objects.filter(inspection=inspection).values_list("sequence", flat=True))

    # -- organisations

    def organization(self, text: str) -> Organization | None:
        """A party organisation by code, name or stem (办公室 → 办公室党支部), within the inspection and the
        user's scope; a name that fits several is no match (the caller keeps it as text and warns)."""
        text = text.strip()
        if text not in self._organization_of:
            self._organization_of[text] = self._find_organization(text)
        return self._organization_of[text]

    def _find_organization(self, text: str) -> Organization | None:
        for index, key in ((self._by_code, text), (self._by_name, text), (self._by_stem, unit_stem(text))):
            found = index.get(key, [])
            inspected = [o for o in found if o.pk in self._inspected_ids] or found
            if len(inspected) == 1:
                return inspected[0]
            if len(inspected) > 1:
                return None
        return None

    def default_organization(self) -> Organization:
        return self.inspected[0] if len(self.inspected) == 1 else self.inspection.inspecting_org

    # -- people

    def person(self, name: str, *, fits: Any) -> User | None:
        candidates = self._by_username.get(name) or self._by_full_name.get(name, [])
        fitting = [u for u in candidates if fits(self.paths.get(u.pk, []))]
        return fitting[0] if len(fitting) == 1 else None

    def people(self, value: Any) -> list[str]:
        """``read_people`` of a cell, read once per distinct cell: ledgers repeat their names."""
        key = cell_text(value)
        if key not in self._people_of:
            self._people_of[key] = read_people(value)
        return list(self._people_of[key])

    def secretary_for(self, org: Organization) -> User | None:
        """Who holds a 待指派 measure: the organisation's secretary, else the nearest one above, else the
        importing staff member when they belong to the organisation."""
        if org.pk not in self._secretary_of:
            self._secretary_of[org.pk] = self._find_secretary(org)
        return self._secretary_of[org.pk]

    def _find_secretary(self, org: Organization) -> User | None:
        by_path = {o.path: o for o in self.orgs}
        parts = org.path.split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            found = by_path.get("/".join(parts[:depth]) + "/")
            if found and self.secretaries.get(found.pk):
                return self.secretaries[found.pk][0]
        # A department of the committee itself has no branch secretary: the importing staff member holds
        # it, when they belong there (the services let only members of the organisation be assigned).
        if any(p.startswith(org.path) for p in self.actor_paths):
            return self.actor
        return None


def plan_rows(
    *,
    actor: User,
    inspection: Inspection,
    rows: Sequence[SourceRow],
    choices: Choices | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """Check every row and say what the import would do (see the module's docstring)."""
    choices = choices or Choices()
    today = today or local_today()
    lookups = _Lookups(actor=actor, inspection=inspection, rows=rows)
    errors: list[Issue] = []
    warnings: list[Issue] = []
    findings: list[FindingPlan] = []
    skipped: list[SkippedFinding] = []
    planned_keys: set[tuple[int, str]] = set()

    for group in _group(rows):
        plan = _plan_finding(group, lookups, choices, errors, warnings, today)
        if plan is None:
            continue
        content = (plan.organization.pk, _norm_text(plan.description))
        if content in lookups.existing:
            skipped.append(SkippedFinding(plan.row, plan.description, "本次检查中已有相同的问题，跳过"))
            warnings.append(Issue(plan.row, _label(Field.DESCRIPTION), "本次检查中该党组织已有相同的问题，跳过"))
            continue
        if content in planned_keys:
            warnings.append(Issue(plan.row, _label(Field.DESCRIPTION), "与文件中前面的问题相同，合并为一个问题"))
            earlier = next(f for f in findings if (f.organization.pk, _norm_text(f.description)) == content)
            earlier.measures.extend(plan.measures)
            earlier.rows.extend(plan.rows)
            continue
        planned_keys.add(content)
        findings.append(plan)

    _number(findings, used=lookups.used_sequences, warnings=warnings)
    # A cell split into several measures is read once per measure; say each thing about it once.
    errors = sorted(set(errors), key=lambda e: (e.row, e.column, e.message))
    warnings = sorted(set(warnings), key=lambda w: (w.row, w.column, w.message))
    return Plan(findings=findings, skipped=skipped, errors=errors, warnings=warnings, row_count=len(rows))


def _number(findings: list[FindingPlan], *, used: set[int], warnings: list[Issue]) -> None:
    """序号: the file's own where it is free and given once; a new one after the last for the others.

    Duplicates are told by content, not by number, so a 序号 already taken by another problem of the
    inspection only means the new problem needs a number of its own."""
    counts: dict[int, int] = {}
    for plan in findings:
        counts[plan.sequence] = counts.get(plan.sequence, 0) + 1
    taken = set(used)
    renumber = []
    for plan in findings:
        if plan.sequence and plan.sequence not in taken and counts[plan.sequence] == 1:
            taken.add(plan.sequence)
        else:
            renumber.append(plan)
    last = max(taken, default=0)
    for plan in renumber:
        last += 1
        if plan.sequence:
            plan.source_sequence = plan.sequence
            warnings.append(Issue(plan.row, _label(Field.SEQUENCE), f"序号 {plan.sequence} 已被占用，导入为 {last}"))
        plan.sequence = last


def _group(rows: Sequence[SourceRow]) -> list[list[SourceRow]]:
    """Rows of one problem: consecutive rows with the same 序号 and problem text (a vertically merged
    problem, filled down by the reader) and no other organisation, or rows that give a measure but no
    problem of their own (its continuation)."""
    groups: list[list[SourceRow]] = []
    last_key: tuple | None = None
    last_org = ""
    for row in rows:
        description = cell_text(row.values.get(Field.DESCRIPTION))
        sequence = cell_text(row.values.get(Field.SEQUENCE))
        org = cell_text(row.values.get(Field.ORGANIZATION))
        if not description and not cell_text(row.values.get(Field.MEASURE)):
            continue
        key = (sequence, _norm_text(description), row.group)
        same_problem = key == last_key and (not org or not last_org or org == last_org)
        if groups and (same_problem or (not description and last_key is not None)):
            groups[-1].append(row)
            last_org = last_org or org
            continue
        groups.append([row])
        last_key, last_org = key, org
    return groups


def _plan_finding(
    group: list[SourceRow],
    lookups: _Lookups,
    choices: Choices,
    errors: list[Issue],
    warnings: list[Issue],
    today: datetime.date,
) -> FindingPlan | None:
    first = group[0]
    before = len(errors)
    key = f"r{first.number}"
    if Field.DETAIL in first.values:
        # A feedback document's problem: several may stand in one paragraph (一是/二是), told by 序号.
        key = f"r{first.number}-{first.values.get(Field.SEQUENCE)}"

    def text(row: SourceRow, f: Field) -> str:
        return cell_text(row.values.get(f))

    description = text(first, Field.DESCRIPTION)
    if not description:
        errors.append(Issue(first.number, _label(Field.DESCRIPTION), "缺少问题描述，无法确定这是哪个问题"))
        return None

    readings: list[Reading] = []
    sequence = read_sequence(first.values.get(Field.SEQUENCE)) or 0

    # 党组织: the organisation column, else the first unit that is one; else the inspected organisation.
    org_text = text(first, Field.ORGANIZATION)
    organization = None
    if org_text:
        organization = lookups.organization(org_text)
        if organization is None:
            errors.append(
                Issue(
                    first.number,
                    _label(Field.ORGANIZATION),
                    f"在本次检查（{lookups.inspection.inspecting_org}）和您的管理范围内找不到党组织“{org_text}”",
                )
            )
            return None
    units_by_row = {row.number: read_units(row.values.get(Field.DEPARTMENT)) for row in group}
    if organization is None:
        for unit in (u for units in units_by_row.values() for u in units):
            organization = lookups.organization(unit)
            if organization:
                readings.append(Reading("党组织", unit, f"{unit} → {organization.name}"))
                break
    if organization is None:
        organization = lookups.default_organization()
        readings.append(Reading("党组织", "", f"表中未写党组织 → {organization.name}（被检查党组织）", assumed=True))

    # 问题类别
    category_text = text(first, Field.CATEGORY)
    chosen_code = choices.categories.get(key)
    if chosen_code and chosen_code in lookups.resolver.by_code:
        category = lookups.resolver.by_code[chosen_code]
        category_reason, category_exact = "预览中选定", True
    else:
        choice = lookups.resolver.resolve(text=category_text, description=description, heading=first.group)
        # Shown beside the category's drop-down in the preview (category_reason), not again as a reading.
        category, category_reason, category_exact = choice.category, choice.reason, choice.exact

    severity_text = text(first, Field.SEVERITY)
    severity = SEVERITY_BY_LABEL.get(severity_text, Severity.MINOR)
    if severity_text and severity_text not in SEVERITY_BY_LABEL:
        warnings.append(Issue(first.number, _label(Field.SEVERITY), f"无法识别严重程度“{severity_text}”，按“一般”导入"))
    found_on_raw = first.values.get(Field.FOUND_ON)
    found_on = None
    if found_on_raw not in (None, ""):
        found_on = read_deadline(found_on_raw, reference=today).due_date
        if found_on is None:
            warnings.append(Issue(first.number, _label(Field.FOUND_ON), f"无法识别发现日期“{cell_text(found_on_raw)}”"))
    found_on = found_on or lookups.inspection.feedback_date or today
    reference = lookups.inspection.feedback_date or found_on

    measures: list[MeasurePlan] = []
    for row in group:
        cell = text(row, Field.MEASURE)
        if not cell:
            errors.append(Issue(row.number, _label(Field.MEASURE), "缺少整改措施"))
            continue
        parts = split_measures(cell)
        if key in choices.keep_whole or len(parts) < 2:
            parts = [cell]
        for index, words in enumerate(parts, start=1):
            measure = _plan_measure(
                row,
                words,
                organization=organization,
                category=category,
                found_on=found_on,
                reference=reference,
                units=units_by_row[row.number],
                lookups=lookups,
                errors=errors,
                warnings=warnings,
            )
            if measure:
                measure.part, measure.parts = index, len(parts)
                measures.append(measure)

    if len(errors) > before:
        return None
    return FindingPlan(
        key=key,
        row=first.number,
        rows=[r.number for r in group],
        sequence=sequence,
        organization=organization,
        category=category,
        category_reason=category_reason,
        category_exact=category_exact,
        description=description,
        found_on=found_on,
        severity=severity,
        basis=text(first, Field.BASIS),
        group=first.group,
        measures=measures,
        readings=readings,
    )


def _plan_measure(
    row: SourceRow,
    words: str,
    *,
    organization: Organization,
    category: Category,
    found_on: datetime.date,
    reference: datetime.date,
    units: list[str],
    lookups: _Lookups,
    errors: list[Issue],
    warnings: list[Issue],
) -> MeasurePlan | None:
    readings: list[Reading] = []

    # 责任单位 / 责任部门: units that are no party organisation stay as text on the measure.
    department = "、".join(u for u in units if lookups.organization(u) is None)
    if department:
        readings.append(Reading("责任部门", department, f"{department}（责任部门，隶属{organization.name}）"))

    # 整改时限 and 整改类型
    deadline = read_deadline(row.values.get(Field.DUE_DATE), reference=reference)
    kind_text = cell_text(row.values.get(Field.KIND))
    kind = KIND_BY_LABEL.get(kind_text) or deadline.kind or RectificationKind.DEADLINE
    if kind_text and kind_text not in KIND_BY_LABEL:
        read_kind = read_deadline(kind_text, reference=reference).kind
        if read_kind is None:
            label = RectificationKind(kind).label
            warnings.append(Issue(row.number, _label(Field.KIND), f"无法识别整改类型“{kind_text}”，按“{label}”导入"))
        kind = read_kind or kind
    due = deadline.due_date
    if deadline.raw and due:
        readings.append(Reading("整改时限", deadline.raw, deadline.note))
    if due is None:
        if kind == RectificationKind.IMMEDIATE:
            due = reference + datetime.timedelta(days=settings.IMMEDIATE_DEFAULT_DAYS)
            basis = f"立行立改，反馈日期后 {settings.IMMEDIATE_DEFAULT_DAYS} 天"
        else:
            days = category.default_days or DEFAULT_DAYS
            due = reference + datetime.timedelta(days=days)
            basis = f"按“{category.name}”默认整改时限 {days} 天"
        shown = deadline.note if deadline.raw and not deadline.problem else (deadline.raw or "未填写")
        readings.append(Reading("整改时限", deadline.raw, f"{shown} → {due:%Y-%m-%d}（推定：{basis}）", assumed=True))
        if deadline.problem:
            warnings.append(Issue(row.number, _label(Field.DUE_DATE), f"{deadline.problem}，按 {due:%Y-%m-%d} 导入"))
    if due < found_on:
        errors.append(
            Issue(row.number, _label(Field.DUE_DATE), f"整改时限 {due:%Y-%m-%d} 早于发现日期 {found_on:%Y-%m-%d}")
        )
        return None

    # 责任人: the first person named who belongs to the organisation; else 待指派 to its secretary.
    named = lookups.people(row.values.get(Field.ASSIGNEE))
    assignee = None
    for name in named:
        assignee = lookups.person(name, fits=lambda paths: any(p.startswith(organization.path) for p in paths))
        if assignee:
            break
    named_assignee = ""
    if assignee is None:
        secretary = lookups.secretary_for(organization)
        if secretary is None:
            errors.append(
                Issue(
                    row.number,
                    _label(Field.ASSIGNEE),
                    f"找不到责任人，且“{organization.name}”没有可暂时负责的支部书记；请填写系统中的用户或先设置支部书记",
                )
            )
            return None
        assignee = secretary
        named_assignee = "、".join(named) or "（未填写）"
        held = f"待指派：暂由{secretary.display_name}负责（台账所列：{named_assignee}）"
        readings.append(Reading("责任人", "、".join(named), held))
    elif len(named) > 1:
        readings.append(Reading("责任人", "、".join(named), f"{assignee.display_name}（其余：{'、'.join(named[1:])}）"))

    leaders = lookups.people(row.values.get(Field.LEADER))
    leader = None
    for name in leaders:
        leader = lookups.person(name, fits=lambda paths: any(organization.path.startswith(p) for p in paths))
        if leader:
            break
    if leaders and leader is None:
        warnings.append(
            Issue(row.number, _label(Field.LEADER), f"找不到责任领导“{'、'.join(leaders)}”，该项不填责任领导")
        )

    # 整改进展: the first progress note; 已完成 is a request to close, awaiting review.
    progress = read_progress(row.values.get(Field.PROGRESS))
    status = RectificationStatus.PENDING
    if progress.state == ProgressState.DONE:
        status = RectificationStatus.SUBMITTED
        readings.append(Reading("整改进展", progress.note, "已完成 → 待审核（须经审核后销号）"))
    elif progress.note:
        status = RectificationStatus.IN_PROGRESS
        readings.append(Reading("整改进展", progress.note, "记为第一条整改进展"))
    if progress.state == ProgressState.KEPT_UP and kind != RectificationKind.LONG_TERM:
        kind = RectificationKind.LONG_TERM

    return MeasurePlan(
        row=row.number,
        measure=words,
        kind=kind,
        due_date=due,
        assignee=assignee,
        responsible_leader=leader,
        department=department[:200],
        named_assignee=named_assignee[:200],
        cadence=deadline.cadence,
        progress_note=progress.note,
        status=status,
        readings=readings,
    )
