"""导入人员：accounts and memberships from a sheet (姓名, 手机号 / 工号, 所在党组织, 角色, 职务).

The login is the 登录名 column when there is one, else the 工号, else the 手机号: what the directory
(LDAP) knows people by, so a committee using directory sign-in imports with the same logins. A new
account gets a one-time password that must be changed at first login; the passwords are returned once,
for the office to print or export, and only their hashes are stored.

The file speaks for the organisations under its top ones (its scope): a person's memberships there are
made to match the file (created, updated, removed); memberships elsewhere are not touched. People with
memberships only in that scope whom the file no longer lists are listed in the plan and, when asked,
deactivated (never deleted: what they did stays attributed to them).
"""

import re
import secrets
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q

from partyreview.accounts.hashers import InitialPasswordHasher
from partyreview.accounts.models import Role, User, name_search_key
from partyreview.common.errors import ActionRefused
from partyreview.common.spreadsheets import cell_text, read_spreadsheet
from partyreview.intake.columns import Vocabulary
from partyreview.intake.fields import SourceRow
from partyreview.intake.onboarding.columns import describe
from partyreview.intake.onboarding.plans import PlannedRow, PlanSummary
from partyreview.intake.tables import find_table
from partyreview.organizations.models import Membership, Organization

VOCABULARY: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "党员姓名"),
    "login": ("登录名", "账号", "用户名", "登录账号"),
    "employee_no": ("工号", "职工号", "员工编号", "人员编号", "员工号"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "联系方式", "电话"),
    "organization": ("所在党组织", "所在党支部", "所在支部", "党组织", "所属党组织", "党组织名称", "所在单位党组织"),
    "role": ("角色", "系统角色", "人员类别"),
    "title": ("职务", "党内职务", "职位"),
    "email": ("电子邮箱", "邮箱", "email", "e-mail"),
}
PEOPLE_COLUMNS = Vocabulary(
    synonyms=VOCABULARY,
    required=frozenset({"name", "organization", "role"}),
    core=frozenset({"name"}),
    labels={name: words[0] for name, words in VOCABULARY.items()},
)
# What a 角色 cell says, longest words first ("支部书记" before "书记", "党委领导" before "领导").
ROLE_WORDS = (
    ("系统管理员", Role.ADMIN),
    ("党务工作人员", Role.STAFF),
    ("党务干部", Role.STAFF),
    ("工作人员", Role.STAFF),
    ("党委领导", Role.LEADER),
    ("分管领导", Role.LEADER),
    ("领导", Role.LEADER),
    ("支部书记", Role.SECRETARY),
    ("书记", Role.SECRETARY),
    ("委员", Role.MEMBER),
    ("党员", Role.MEMBER),
    ("责任人", Role.MEMBER),
)
ROLE_SPLIT = re.compile(r"[、,，;；/／\s]+")
PHONE = re.compile(r"^1\d{10}$")
LOGIN = re.compile(r"^[A-Za-z0-9_.@+-]{2,150}$")
# Without look-alikes (0/O, 1/l/I): the office reads them out or prints them.
ONE_TIME_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
ONE_TIME_LENGTH = 12


@dataclass
class PersonRow(PlannedRow):
    number: int
    name: str
    login: str
    phone: str
    email: str
    organization_ref: str
    roles: list[str]
    title: str
    errors: list[str] = field(default_factory=list)
    organization: Organization | None = None
    existing: User | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class PeoplePlan(PlanSummary):
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[User] = field(default_factory=list)
    scope: list[Organization] = field(default_factory=list)


@dataclass(frozen=True)
class InitialPassword:
    """One line of the list the office hands out; never stored."""

    name: str
    login: str
    organization: str
    password: str


@dataclass
class PeopleResult:
    created: int
    updated: int
    unchanged: int
    deactivated: int
    passwords: list[InitialPassword]


def roles_from(text: str) -> list[str] | None:
    roles: list[str] = []
    for word in (w for w in ROLE_SPLIT.split(text) if w):
        role = next((r for key, r in ROLE_WORDS if key in word), None)
        if role is None:
            return None
        if role not in roles:
            roles.append(role)
    return roles or None


def _read_row(row: SourceRow, mapped: set[str]) -> PersonRow:
    def text(name: str) -> str:
        return cell_text(row.values.get(name))

    phone = text("phone").replace(" ", "").replace("-", "")
    login = text("login") or text("employee_no") or phone
    person = PersonRow(
        number=row.number,
        name=text("name"),
        login=login,
        phone=phone,
        email=text("email"),
        organization_ref=text("organization"),
        roles=[],
        title=text("title")[:50],
    )
    if not person.name:
        person.errors.append("姓名为空。")
    if not login:
        person.errors.append("没有登录名：请填写工号或手机号。")
    elif not LOGIN.match(login):
        person.errors.append(f"登录名“{login}”只能包含字母、数字和 _.@+-。")
    if phone and not PHONE.match(phone) and "phone" in mapped:
        person.errors.append(f"手机号“{text('phone')}”不是 11 位手机号码。")
    roles = roles_from(text("role"))
    if roles is None:
        person.errors.append(f"角色“{text('role')}”无法识别，应为 党务工作人员 / 党委领导 / 支部书记 / 委员 等。")
    else:
        person.roles = roles
    if not person.organization_ref:
        person.errors.append("所在党组织为空。")
    return person


def plan_people(data: bytes) -> PeoplePlan:
    plan = PeoplePlan()
    table = find_table(read_spreadsheet(data), PEOPLE_COLUMNS)
    if table.problems:
        plan.errors.extend(table.problems)
        return plan
    mapped = set(table.mapping)
    if not mapped & {"login", "employee_no", "phone"}:
        plan.errors.append("文件中缺少“手机号”或“工号”列：账号的登录名取自其中之一。")
        return plan
    plan.notes.extend(describe(table, PEOPLE_COLUMNS))
    source = "登录名" if "login" in mapped else "工号" if "employee_no" in mapped else "手机号"
    plan.notes.append(f"登录名取自“{source}”列。")
    plan.rows = [_read_row(row, mapped) for row in table.rows]
    if not plan.rows:
        plan.errors.append("表头下没有数据行。")
        return plan
    _match(plan)
    return plan


def _match(plan: PeoplePlan) -> None:
    organizations = list(Organization.objects.filter(is_active=True))
    by_code = {o.code: o for o in organizations}
    by_name: dict[str, list[Organization]] = {}
    for org in organizations:
        by_name.setdefault(org.name, []).append(org)
    logins = [r.login for r in plan.rows if r.login]
    users = {u.username.lower(): u for u in User.objects.filter(username__in=logins)}
    if len(users) < len(set(logins)):  # logins stored with other letter cases
        lowered = Q()
        for login in logins:
            lowered |= Q(username__iexact=login)
        users = {u.username.lower(): u for u in User.objects.filter(lowered)}
    seen: dict[str, PersonRow] = {}
    for row in plan.rows:
        ref = row.organization_ref
        if ref:
            org = by_code.get(ref)
            namesakes = by_name.get(ref, [])
            if org is None and len(namesakes) == 1:
                org = namesakes[0]
            if org is None:
                row.errors.append(
                    f"党组织“{ref}”有同名的多个，请改填编码。"
                    if namesakes
                    else f"党组织“{ref}”在系统中找不到（请先导入党组织）。"
                )
            row.organization = org
        if row.login:
            first = seen.get(row.login.lower())
            if first is not None and first.name != row.name:
                row.errors.append(f"登录名“{row.login}”与第{first.number}行（{first.name}）重复。")
            seen.setdefault(row.login.lower(), row)
            row.existing = users.get(row.login.lower())
    tops = _scope(plan)
    plan.scope = tops
    current = _memberships_in_scope(tops, [r.existing.pk for r in plan.rows if r.existing])
    wanted = _wanted(plan)
    for row in plan.rows:
        if row.errors or row.existing is None:
            continue
        user = row.existing
        changes = []
        if user.full_name != row.name:
            changes.append(f"姓名（原为“{user.full_name}”）")
        if row.phone and user.phone != row.phone:
            changes.append("手机号")
        if row.email and user.email != row.email:
            changes.append("邮箱")
        if not user.is_active:
            changes.append("恢复启用")
        mine = current.get(user.pk, {})
        theirs = wanted.get(user.pk, {})
        if set(mine) != set(theirs):
            changes.append("任职")
        elif any(mine[k] != theirs[k] for k in mine):
            changes.append("职务")
        row.changes = changes
    listed = {r.existing.pk for r in plan.rows if r.existing}
    plan.missing = _missing(tops, listed)


def _scope(plan: PeoplePlan) -> list[Organization]:
    """The top-most organisations the file names: it speaks for everything under them."""
    named = {r.organization.pk: r.organization for r in plan.rows if r.organization is not None}
    paths = sorted({o.path for o in named.values()}, key=len)
    tops: list[str] = []
    for path in paths:
        if not any(path.startswith(t) for t in tops):
            tops.append(path)
    by_path = {o.path: o for o in named.values()}
    return [by_path[p] for p in tops]


def _scope_q(tops: list[Organization], field: str = "organization__path") -> Q:
    q = Q(pk__in=[])
    for top in tops:
        q |= Q(**{f"{field}__startswith": top.path})
    return q


def _memberships_in_scope(tops: list[Organization], user_ids: list[int]) -> dict[int, dict[tuple[int, str], str]]:
    found: dict[int, dict[tuple[int, str], str]] = {}
    rows = Membership.objects.filter(_scope_q(tops), user_id__in=user_ids).values_list(
        "user_id", "organization_id", "role", "title"
    )
    for user_id, org_id, role, title in rows:
        found.setdefault(user_id, {})[(org_id, role)] = title
    return found


def _wanted(plan: PeoplePlan) -> dict[int, dict[tuple[int, str], str]]:
    wanted: dict[int, dict[tuple[int, str], str]] = {}
    for row in plan.rows:
        if row.existing is None or row.organization is None:
            continue
        for role in row.roles:
            wanted.setdefault(row.existing.pk, {})[(row.organization.pk, role)] = row.title
    return wanted


def _missing(tops: list[Organization], listed: set[int]) -> list[User]:
    if not tops:
        return []
    inside = Membership.objects.filter(_scope_q(tops)).values("user_id")
    outside = Membership.objects.exclude(_scope_q(tops)).values("user_id")
    return list(
        User.objects.filter(is_active=True, is_superuser=False, pk__in=inside)
        .exclude(pk__in=outside)
        .exclude(pk__in=listed)
        .order_by("name_key", "pk")
    )


def new_password() -> str:
    """Twelve characters from 56 (about 70 bits), always with a letter and a digit, so they pass the
    password rules (length, not all digits, not common)."""
    while True:
        password = "".join(secrets.choice(ONE_TIME_CHARACTERS) for _ in range(ONE_TIME_LENGTH))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


@transaction.atomic
def apply_people(plan: PeoplePlan, *, actor: User | None, deactivate_missing: bool = False) -> PeopleResult:
    """Write a checked plan in one transaction: accounts, memberships, departures. All or nothing."""
    if not plan.ok:
        raise ActionRefused("导入文件有错误，未导入任何内容。请按提示修改后重新上传。")
    passwords: list[InitialPassword] = []
    created = updated = 0
    rows_by_login: dict[str, PersonRow] = {}
    for row in plan.rows:
        rows_by_login.setdefault(row.login.lower(), row)
    # New accounts in one batch: thousands of people, each with a hash of its own one-time password.
    new_rows = [r for login, r in rows_by_login.items() if r.existing is None]
    fresh = []
    for row in new_rows:
        password = new_password()
        user = User(
            username=row.login,
            full_name=row.name,
            phone=row.phone,
            email=row.email,
            must_change_password=True,
            name_key=name_search_key(row.name),  # bulk_create skips save(), which keeps it elsewhere
            password=make_password(password, hasher=InitialPasswordHasher.algorithm),
        )
        fresh.append(user)
        passwords.append(
            InitialPassword(name=row.name, login=row.login, organization=row.organization.name, password=password)
        )
    User.objects.bulk_create(fresh, batch_size=500)
    created = len(fresh)
    users = {u.username.lower(): u for u in User.objects.filter(username__in=[r.login for r in plan.rows])}
    for row in rows_by_login.values():
        if row.existing is not None and row.changes:
            user = row.existing
            user.full_name = row.name
            user.phone = row.phone or user.phone
            user.email = row.email or user.email
            user.is_active = True
            user.save()
            updated += 1
    _write_memberships(plan, users, actor=actor)
    deactivated = 0
    if deactivate_missing and plan.missing:
        deactivated = User.objects.filter(pk__in=[u.pk for u in plan.missing], is_active=True).update(is_active=False)
    unchanged = len(rows_by_login) - created - updated
    return PeopleResult(
        created=created, updated=updated, unchanged=unchanged, deactivated=deactivated, passwords=passwords
    )


def _write_memberships(plan: PeoplePlan, users: dict[str, User], *, actor: User | None) -> None:
    wanted: dict[int, dict[tuple[int, str], str]] = {}
    for row in plan.rows:
        user = users[row.login.lower()]
        for role in row.roles:
            wanted.setdefault(user.pk, {})[(row.organization.pk, role)] = row.title
    existing = {
        (m.user_id, m.organization_id, m.role): m
        for m in Membership.objects.filter(_scope_q(plan.scope), user_id__in=list(wanted))
    }
    new = []
    for user_id, grants in wanted.items():
        for (org_id, role), title in grants.items():
            membership = existing.pop((user_id, org_id, role), None)
            if membership is None:
                new.append(Membership(user_id=user_id, organization_id=org_id, role=role, title=title))
            elif membership.title != title:
                membership.title = title
                membership._history_user = actor
                membership._change_reason = "导入人员：更新职务"
                membership.save()
    # bulk_create writes no history rows: record the creation in one more batch.
    created = Membership.objects.bulk_create(new, batch_size=1000)
    Membership.history.bulk_history_create(created, default_user=actor, default_change_reason="导入人员：新增任职")
    for membership in existing.values():
        # A membership in the file's scope that the file no longer gives: the person moved or changed role.
        membership._history_user = actor
        membership._change_reason = "导入人员：文件中已无此任职"
        membership.delete()
