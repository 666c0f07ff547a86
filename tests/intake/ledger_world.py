"""A committee shaped like the ledgers of tests/intake/workbooks.py: the branches and people they name.

某某市委 (committee) with 办公室党支部, 财务部党支部 and 第一/第二/第三党支部; staff member 周敏 imports.
Wang Fang (王芳) and Zhang Wei (张伟, login zhang) work in 办公室党支部, Li Na (李娜, login li) and Chen Jing
(陈静, login chen) in 财务部党支部, Liu Yang (刘洋, login liu) in 第一党支部; Li Jianguo (李建国) and
Zhao Gang (赵刚) lead the committee. Each branch has a secretary. 党委组织部, 党委宣传部, 纪委办公室 and the
like are departments, no party organisations.
"""

import datetime
from dataclasses import dataclass

from partyreview.accounts.models import Role, User
from partyreview.inspections.categories import ensure_standard_categories
from partyreview.inspections.models import Category, Inspection
from partyreview.inspections.services import inspection_create
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from tests.factories import UserFactory

FEEDBACK = datetime.date(2026, 10, 15)


@dataclass
class LedgerWorld:
    committee: Organization
    branches: dict[str, Organization]
    people: dict[str, User]
    secretaries: dict[str, User]
    staff: User
    inspection: Inspection


def _person(username: str, full_name: str, org: Organization, role: str) -> User:
    user = UserFactory(username=username, full_name=full_name)
    Membership.objects.create(user=user, organization=org, role=role)
    return user


def build_ledger_world() -> LedgerWorld:
    ensure_standard_categories(Category)
    committee = Organization.objects.create(name="某某市委", code="M", kind=OrganizationKind.COMMITTEE)
    names = ["办公室党支部", "财务部党支部", "第一党支部", "第二党支部", "第三党支部"]
    branches = {
        name: Organization.objects.create(name=name, code=f"M-{i}", kind="branch", parent=committee)
        for i, name in enumerate(names, start=1)
    }
    secretaries = {
        name: _person(f"sec{i}", f"书记{i}", org, Role.SECRETARY) for i, (name, org) in enumerate(branches.items())
    }
    people = {
        "王芳": _person("wangfang", "王芳", branches["办公室党支部"], Role.MEMBER),
        "张伟": _person("zhang", "张伟", branches["办公室党支部"], Role.MEMBER),
        "李娜": _person("li", "李娜", branches["财务部党支部"], Role.MEMBER),
        "陈静": _person("chen", "陈静", branches["财务部党支部"], Role.MEMBER),
        "刘洋": _person("liu", "刘洋", branches["第一党支部"], Role.MEMBER),
        "李建国": _person("lijianguo", "李建国", committee, Role.LEADER),
        "赵刚": _person("zhaogang", "赵刚", committee, Role.LEADER),
    }
    staff = _person("zhoumin", "周敏", committee, Role.STAFF)
    inspection = inspection_create(
        actor=staff,
        title="2026年第三轮巡察",
        kind="tour",
        inspecting_org=committee,
        inspected_orgs=list(branches.values()),
        start_date=datetime.date(2026, 9, 1),
        feedback_date=FEEDBACK,
    )
    return LedgerWorld(committee, branches, people, secretaries, staff, inspection)
