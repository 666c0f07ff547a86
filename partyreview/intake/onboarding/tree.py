"""导入党组织：the tree from a sheet (党组织名称, 类别, 上级党组织 by name or code, dates, counts …).

A row is matched to an existing organisation by its code when the file has codes, else by its name.
Re-importing an updated file renames (same code, new name), moves (new parent) and updates what changed;
it never deletes. Organisations under the file's top organisations that the file no longer lists are
listed in the plan and, when asked, marked 已撤销 with their history kept.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction

from partyreview.accounts.models import User
from partyreview.common import generations
from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import cell_date, cell_text, read_spreadsheet
from partyreview.intake.columns import Vocabulary
from partyreview.intake.fields import SourceRow
from partyreview.intake.onboarding.columns import describe
from partyreview.intake.onboarding.plans import PlannedRow, PlanSummary
from partyreview.intake.tables import find_table
from partyreview.organizations import services
from partyreview.organizations.models import Organization, OrganizationKind

VOCABULARY: dict[str, tuple[str, ...]] = {
    "name": ("党组织名称", "组织名称", "党组织全称", "名称", "党组织"),
    "code": ("党组织编码", "组织编码", "党组织代码", "组织代码", "编码", "代码"),
    "kind": ("党组织类别", "党组织类型", "组织类别", "组织类型", "类别", "类型"),
    "parent": (
        "上级党组织",
        "上级党组织名称",
        "上级党组织编码",
        "上级组织",
        "上级组织名称",
        "隶属党组织",
        "上级",
    ),
    "secretary": ("书记", "党组织书记", "支部书记"),
    "founded_on": ("成立日期", "成立时间", "建立日期"),
    "term": ("本届任期起止", "任期起止", "本届任期", "任期"),
    "term_start": ("换届日期", "本届换届日期", "换届时间", "本届换届时间", "任期开始", "本届任期开始"),
    "term_end": ("任期届满日期", "届满日期", "任期届满", "本届任期届满"),
    "members": ("党员人数", "党员总数", "党员数"),
    "formal": ("正式党员人数", "正式党员数", "正式党员"),
    "probationary": ("预备党员人数", "预备党员数", "预备党员"),
    "has_committee": ("是否设支委会", "是否设立支委会", "设支委会", "是否设委员会"),
    "has_groups": ("是否设党小组", "设党小组"),
}
LABELS = {name: words[0] for name, words in VOCABULARY.items()}
TREE_COLUMNS = Vocabulary(
    synonyms=VOCABULARY, required=frozenset({"name", "kind"}), core=frozenset({"name"}), labels=LABELS
)
# What a 类别 cell says, tested in this order ("党总支" before the "党支部" it does not contain anyway).
KINDS = (
    ("总支", OrganizationKind.GENERAL_BRANCH),
    ("支部", OrganizationKind.BRANCH),
    ("党委", OrganizationKind.COMMITTEE),
    ("党组", OrganizationKind.COMMITTEE),
    ("工委", OrganizationKind.COMMITTEE),
)
YES = {"是", "有", "设", "已设", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "未设", "不设", "n", "no", "false", "0", "×", ""}
TERM_YEARS = {OrganizationKind.COMMITTEE: 5, OrganizationKind.GENERAL_BRANCH: 3, OrganizationKind.BRANCH: 3}
TERM_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|－|--|-(?=\s*\d{4}))\s*")
UPDATED_FIELDS = (
    "kind",
    "founded_on",
    "term_start",
    "term_end",
    "formal_member_count",
    "probationary_member_count",
    "has_committee",
    "has_party_groups",
)


@dataclass
class TreeRow(PlannedRow):
    number: int
    name: str
    code: str
    parent_ref: str
    values: dict[str, object]
    errors: list[str] = field(default_factory=list)
    existing: Organization | None = None
    parent: "TreeRow | Organization | None" = None
    changes: list[str] = field(default_factory=list)


@dataclass
class TreePlan(PlanSummary):
    """The preview of an import: what each row will do, what is wrong, what the file no longer lists."""

    rows: list[TreeRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[Organization] = field(default_factory=list)


@dataclass
class TreeResult:
    created: int
    updated: int
    unchanged: int
    deactivated: int


def _kind(text: str) -> OrganizationKind | None:
    return next((kind for word, kind in KINDS if word in text), None)


def _flag(text: str) -> bool | None:
    lowered = text.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def _count(text: str) -> int | None:
    if not text:
        return 0
    digits = text.removesuffix("人").removesuffix("名").strip()
    return int(digits) if digits.isdigit() else None


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _term(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """本届任期起止: "2024-03-01至2027-02-28", "2024.03.01-2027.02.28", "2024年3月1日~2027年2月28日"."""
    parts = [p for p in TERM_SPLIT.split(text.strip()) if p]
    if len(parts) != 2:
        raise ValueError(text)
    return cell_date(parts[0]), cell_date(parts[1])


def _read_row(source: SourceRow, mapped: set[str]) -> TreeRow:
    number = source.number

    def text(name: str) -> str:
        return cell_text(source.values.get(name))

    def raw(name: str) -> object:
        return source.values.get(name)

    row = TreeRow(number=number, name=text("name"), code=text("code"), parent_ref=text("parent"), values={})
    if not row.name:
        row.errors.append("党组织名称为空。")
    elif len(row.name) > 100:
        row.errors.append("党组织名称超过 100 字。")
    if len(row.code) > 50:
        row.errors.append("党组织编码超过 50 字。")
    kind_text = text("kind")
    kind = _kind(kind_text)
    if kind is None:
        row.errors.append(f"党组织类别“{kind_text}”无法识别，应为 党委 / 党总支 / 党支部。")
    row.values["kind"] = kind
    for name in ("founded_on", "term_start", "term_end"):
        try:
            row.values[name] = cell_date(raw(name))
        except ValueError:
            row.errors.append(f"{VOCABULARY[name][0]}“{text(name)}”不是日期。")
    if text("term"):
        try:
            row.values["term_start"], row.values["term_end"] = _term(text("term"))
        except ValueError:
            row.errors.append(f"本届任期起止“{text('term')}”无法识别，应写成 2024-03-01至2027-02-28。")
    if row.values.get("term_start") and not row.values.get("term_end") and kind is not None:
        row.values["term_end"] = _add_years(row.values["term_start"], TERM_YEARS[kind])
    counts = {}
    for name in ("members", "formal", "probationary"):
        value = _count(text(name))
        if value is None:
            row.errors.append(f"{VOCABULARY[name][0]}“{text(name)}”不是人数。")
        counts[name] = value or 0
    formal = counts["formal"] if "formal" in mapped else max(counts["members"] - counts["probationary"], 0)
    row.values["formal_member_count"] = formal
    row.values["probationary_member_count"] = counts["probationary"]
    for name, target in (("has_committee", "has_committee"), ("has_groups", "has_party_groups")):
        flag = _flag(text(name))
        if flag is None:
            row.errors.append(f"{VOCABULARY[name][0]}“{text(name)}”应填 是 或 否。")
        row.values[target] = bool(flag)
    return row


def generated_code(name: str) -> str:
    """A stable code for a file without codes: the same name gives the same code on every import."""
    return "ORG-" + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:10].upper()


def plan_tree(data: bytes) -> TreePlan:
    """Read and check the whole file against the database, writing nothing."""
    plan = TreePlan()
    table = find_table(read_spreadsheet(data), TREE_COLUMNS)
    if table.problems:
        plan.errors.extend(table.problems)
        return plan
    mapped = set(table.mapping)
    plan.notes.extend(describe(table, TREE_COLUMNS))
    if "secretary" in mapped:
        plan.notes.append("“书记”列仅供核对：书记的账号和角色请通过人员导入设置。")
    if "code" not in mapped:
        plan.notes.append("文件没有党组织编码列：按名称匹配已有党组织，名称变化会被当作新的党组织。")
    plan.rows = [_read_row(source, mapped) for source in table.rows]
    if not plan.rows:
        plan.errors.append("表头下没有数据行。")
        return plan
    _match(plan, has_codes="code" in mapped)
    return plan


def _match(plan: TreePlan, *, has_codes: bool) -> None:
    existing = list(Organization.objects.all())
    by_code = {o.code: o for o in existing}
    by_name: dict[str, list[Organization]] = {}
    for org in existing:
        by_name.setdefault(org.name, []).append(org)
    in_file_code: dict[str, TreeRow] = {}
    in_file_name: dict[str, TreeRow] = {}
    for row in plan.rows:
        if not row.name:
            continue
        if not row.code:
            row.code = generated_code(row.name)
        if row.code in in_file_code:
            row.errors.append(f"编码“{row.code}”与第{in_file_code[row.code].number}行重复。")
        if row.name in in_file_name and not has_codes:
            row.errors.append(f"名称“{row.name}”与第{in_file_name[row.name].number}行重复，请增加党组织编码列。")
        in_file_code.setdefault(row.code, row)
        in_file_name.setdefault(row.name, row)
        if has_codes:
            row.existing = by_code.get(row.code)
        else:
            namesakes = by_name.get(row.name, [])
            if len(namesakes) > 1:
                row.errors.append(f"系统中有 {len(namesakes)} 个名为“{row.name}”的党组织，请增加党组织编码列。")
            row.existing = namesakes[0] if len(namesakes) == 1 else by_code.get(row.code)
    for row in plan.rows:
        if row.parent_ref:
            parent = in_file_code.get(row.parent_ref) or in_file_name.get(row.parent_ref)
            if parent is None:
                parent = by_code.get(row.parent_ref)
                namesakes = by_name.get(row.parent_ref, [])
                if parent is None and len(namesakes) == 1:
                    parent = namesakes[0]
                elif parent is None and len(namesakes) > 1:
                    row.errors.append(f"上级党组织“{row.parent_ref}”有同名的多个，请改填编码。")
                    continue
            if parent is None:
                row.errors.append(f"上级党组织“{row.parent_ref}”在文件和系统中都找不到。")
                continue
            if parent is row:
                row.errors.append("上级党组织不能是自己。")
                continue
            row.parent = parent
        _check_kinds(row)
    _check_cycles(plan)
    for row in plan.rows:
        if not row.errors:
            row.changes = _changes(row)
    _missing(plan)


def _kind_of(node: "TreeRow | Organization") -> str | None:
    return node.values.get("kind") if isinstance(node, TreeRow) else node.kind


def _check_kinds(row: TreeRow) -> None:
    kind = row.values.get("kind")
    if kind is None:
        return
    parent_kind = _kind_of(row.parent) if row.parent is not None else None
    if row.parent is not None and parent_kind is None:
        return  # the parent's own row reports its category
    if parent_kind not in services.ALLOWED_PARENTS[OrganizationKind(kind)]:
        where = f"{OrganizationKind(parent_kind).label}之下" if parent_kind else "最上级（没有上级党组织）"
        row.errors.append(f"{OrganizationKind(kind).label}不能设在{where}。")


def _check_cycles(plan: TreePlan) -> None:
    for row in plan.rows:
        seen = {id(row)}
        node = row.parent
        while isinstance(node, TreeRow):
            if id(node) in seen:
                row.errors.append("上级党组织形成循环。")
                break
            seen.add(id(node))
            node = node.parent


def _parent_id_now(row: TreeRow) -> object:
    parent = row.parent
    if isinstance(parent, TreeRow):
        return parent.existing.pk if parent.existing else parent
    return parent.pk if parent is not None else None


def _changes(row: TreeRow) -> list[str]:
    org = row.existing
    if org is None:
        return []
    changes = []
    if org.name != row.name:
        changes.append(f"更名（原名“{org.name}”）")
    if org.parent_id != _parent_id_now(row):
        changes.append("调整上级党组织")
    if not org.is_active:
        changes.append("恢复在用")
    differing = [f for f in UPDATED_FIELDS if getattr(org, f) != row.values.get(f)]
    if differing:
        labels = "、".join(str(Organization._meta.get_field(f).verbose_name) for f in differing)
        changes.append(f"更新{labels}")
    return changes


def _missing(plan: TreePlan) -> None:
    """Active organisations under the file's top organisations that the file no longer lists."""
    tops = [r.existing for r in plan.rows if r.existing is not None and not isinstance(r.parent, TreeRow)]
    listed = {r.existing.pk for r in plan.rows if r.existing is not None}
    if not tops:
        return
    candidates = Organization.objects.none()
    for top in tops:
        candidates = candidates | Organization.objects.filter(path__startswith=top.path, is_active=True)
    plan.missing = list(candidates.exclude(pk__in=listed).order_by("path"))


@transaction.atomic
def apply_tree(plan: TreePlan, *, actor: User | None, deactivate_missing: bool = False) -> TreeResult:
    """Write a checked plan: parents before children, each save with its history. All or nothing."""
    if not plan.ok:
        raise ActionRefused("导入文件有错误，未导入任何内容。请按提示修改后重新上传。")
    created = updated = 0
    done: dict[int, Organization] = {}
    pending = list(plan.rows)
    # Level by level, parents before children: the changed ones one by one through save() (a move rewrites
    # a subtree), the new ones of a level in three statements (a committee's first load is a thousand).
    while pending:
        ready = [r for r in pending if not isinstance(r.parent, TreeRow) or id(r.parent) in done]
        if not ready:  # a cycle got past the plan: refuse rather than loop
            raise ActionRefused("上级党组织形成循环，未导入任何内容。")
        for row in ready:
            if row.existing is not None:
                org, changed = _write(row, _parent_of(row, done), actor=actor)
                done[id(row)] = org
                updated += changed
        fresh = [r for r in ready if r.existing is None]
        for row, org in zip(fresh, _create_level(fresh, done, actor=actor), strict=True):
            done[id(row)] = org
        created += len(fresh)
        pending = [r for r in pending if id(r) not in done]
    deactivated = 0
    if deactivate_missing:
        # Deepest first, so a general branch is revoked after its branches.
        for org in sorted(plan.missing, key=lambda o: -o.depth):
            services.organization_deactivate(actor=None, organization=org, reason="导入：文件中已无此党组织，标记撤销")
            deactivated += 1
    unchanged = len(plan.rows) - created - updated
    return TreeResult(created=created, updated=updated, unchanged=unchanged, deactivated=deactivated)


def _parent_of(row: TreeRow, done: dict[int, Organization]) -> Organization | None:
    return done[id(row.parent)] if isinstance(row.parent, TreeRow) else row.parent


def _create_level(rows: list[TreeRow], done: dict[int, Organization], *, actor: User | None) -> list[Organization]:
    """New organisations whose parents exist: inserted, given their paths, and recorded in the history in
    batches. bulk_create sends no signal, so the figures counting organisations are retired by hand."""
    if not rows:
        return []
    # Parents from the system are read again: a move earlier in this import may have changed their paths.
    outside = Organization.objects.in_bulk({r.parent.pk for r in rows if isinstance(r.parent, Organization)})
    orgs = []
    for row in rows:
        parent = outside[row.parent.pk] if isinstance(row.parent, Organization) else _parent_of(row, done)
        org = Organization(code=row.code, name=row.name, parent=parent, is_active=True)
        for name in UPDATED_FIELDS:
            setattr(org, name, row.values.get(name))
        orgs.append(org)
    Organization.objects.bulk_create(orgs, batch_size=500)
    for org in orgs:
        org.path = org._computed_path()
        org.depth = org.path.count("/") - 1
    Organization.objects.bulk_update(orgs, ["path", "depth"], batch_size=500)
    Organization.history.bulk_history_create(orgs, default_user=actor, default_change_reason="导入党组织：新增")
    generations.bump_watchers(Organization)
    return orgs


def _write(row: TreeRow, parent: Organization | None, *, actor: User | None) -> tuple[Organization, bool]:
    """An organisation already in the system, changed by the file: one save, with its history."""
    if not row.changes:
        return row.existing, False
    org = Organization.objects.select_for_update().get(pk=row.existing.pk)
    if parent is not None and org.parent_id != parent.pk:
        # Paths read now: a move earlier in this import may have rewritten them.
        parent = Organization.objects.get(pk=parent.pk)
        services.check_parent(org, parent)
    org.name = row.name
    org.parent = parent
    org.is_active = True
    for name in UPDATED_FIELDS:
        setattr(org, name, row.values.get(name))
    org._history_user = actor
    org._change_reason = ("导入党组织：" + "；".join(row.changes))[:100]
    org.save()
    return org, True
