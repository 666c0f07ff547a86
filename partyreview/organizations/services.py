"""Changes to the organisation tree: rename, move, merge, mark 已撤销.

Only administrators change the tree (``can_change_tree``): a move or a merge changes who sees what. Every
function locks the rows it changes, records history with a reason, and refuses in Chinese without
changing anything. Scope follows at once because it is read from ``Organization.path`` and memberships
on every request; the cached figures follow because saving an Organization bumps every topic that
counts organisations (common/generations.py).
"""

from django.db import IntegrityError, models, transaction

from partyreview.accounts.models import User
from partyreview.common.errors import ActionRefused
from partyreview.organizations.models import Membership, Organization, OrganizationKind
from partyreview.organizations.permissions import is_admin

# Which kind may sit under which: a branch under a general branch or straight under a committee.
ALLOWED_PARENTS = {
    OrganizationKind.COMMITTEE: {OrganizationKind.COMMITTEE, None},
    OrganizationKind.GENERAL_BRANCH: {OrganizationKind.COMMITTEE},
    OrganizationKind.BRANCH: {OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH},
}


def can_change_tree(user: User) -> bool:
    return is_admin(user)


def _check(actor: User) -> None:
    if not can_change_tree(actor):
        raise ActionRefused("只有系统管理员可以调整党组织。")


def _locked(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _save(organization: Organization, *, actor: User | None, reason: str) -> None:
    organization._history_user = actor
    organization._change_reason = reason[:100]
    organization.save()


def check_parent(organization: Organization, parent: Organization | None) -> None:
    """Refuse a parent that would break the tree: itself, one of its own descendants, or a wrong kind."""
    kind = OrganizationKind(organization.kind)
    if parent is not None and organization.pk and parent.path.startswith(organization.path):
        raise ActionRefused(f"不能把“{organization.name}”移到它自己或它的下级“{parent.name}”之下。")
    if (parent.kind if parent else None) not in ALLOWED_PARENTS[kind]:
        where = f"{parent.get_kind_display()}“{parent.name}”" if parent else "最上级"
        raise ActionRefused(f"{kind.label}“{organization.name}”不能设在{where}之下。")
    if parent is not None and not parent.is_active:
        raise ActionRefused(f"“{parent.name}”已撤销，不能作为上级党组织。")


@transaction.atomic
def organization_rename(*, actor: User, organization: Organization, name: str) -> Organization:
    """改名: the old name stays in the history."""
    _check(actor)
    name = name.strip()
    if not name:
        raise ActionRefused("请填写党组织名称。")
    locked = _locked(organization)
    if locked.name == name:
        return locked
    old = locked.name
    locked.name = name
    _save(locked, actor=actor, reason=f"更名：原名“{old}”")
    return locked


@transaction.atomic
def organization_move(*, actor: User | None, organization: Organization, parent: Organization) -> Organization:
    """调整隶属关系: the organisation and everything below it move under ``parent``.

    ``actor`` None is the people/organisation import acting for the administrator who ran it.
    """
    if actor is not None:
        _check(actor)
    locked = _locked(organization)
    parent = _locked(parent)
    if locked.parent_id == parent.pk:
        return locked
    check_parent(locked, parent)
    old = locked.parent.name if locked.parent_id else "（无）"
    locked.parent = parent
    _save(locked, actor=actor, reason=f"调整隶属：由“{old}”调至“{parent.name}”")
    return locked


@transaction.atomic
def organization_deactivate(*, actor: User | None, organization: Organization, reason: str = "") -> Organization:
    """撤销: marked inactive, never deleted; its measures, records and history stay where they were."""
    if actor is not None:
        _check(actor)
    locked = _locked(organization)
    if not locked.is_active:
        return locked
    if locked.children.filter(is_active=True).exists():
        raise ActionRefused(f"“{locked.name}”还有在用的下级党组织，请先调整或撤销它们。")
    locked.is_active = False
    _save(locked, actor=actor, reason=reason or "撤销")
    return locked


def _is_history(model: type[models.Model]) -> bool:
    # simple_history's shadow tables point at organisations too; what they recorded stays as it was.
    return hasattr(model, "instance_type")


@transaction.atomic
def organization_merge(*, actor: User, merged: Organization, survivor: Organization) -> Organization:
    """合并: everything of ``merged`` moves to ``survivor``; ``merged`` is then 已撤销, never deleted.

    Its measures, findings, records (meetings, roster, dues, breaches …), memberships and children move,
    each row saved with the reason, so its history says where it came from. Written over every relation
    to Organization rather than a list of apps: this app sits below them all, and a relation added later
    moves too. A membership the survivor already has (same person, same role) is not doubled.
    """
    _check(actor)
    if merged.pk == survivor.pk:
        raise ActionRefused("请选择另一个党组织作为合并后保留的党组织。")
    merged, survivor = _locked(merged), _locked(survivor)
    if not survivor.is_active:
        raise ActionRefused(f"“{survivor.name}”已撤销，不能作为合并后保留的党组织。")
    if merged.kind != survivor.kind:
        raise ActionRefused("只能合并同一类型的党组织（例如两个党支部）。")
    if survivor.path.startswith(merged.path):
        raise ActionRefused("不能把党组织并入它自己的下级。")
    reason = f"党组织合并：由“{merged.name}”并入“{survivor.name}”"
    for child in merged.children.all():
        child._history_user = actor
        child._change_reason = reason[:100]
        child.parent = survivor
        child.save()
    for membership in Membership.objects.filter(organization=merged).select_for_update():
        duplicate = Membership.objects.filter(user_id=membership.user_id, organization=survivor, role=membership.role)
        membership._history_user = actor
        membership._change_reason = reason[:100]
        if duplicate.exists():
            membership.delete()
        else:
            membership.organization = survivor
            membership.save()
    try:
        with transaction.atomic():
            _move_related(merged, survivor, actor=actor, reason=reason)
    except IntegrityError as clash:
        raise ActionRefused(
            "两个党组织有相互冲突的记录（例如同一党员在两边都有登记），无法自动合并，请先处理后再试。"
        ) from clash
    merged.is_active = False
    _save(merged, actor=actor, reason=reason)
    _save(survivor, actor=actor, reason=reason)
    return survivor


def _move_related(merged: Organization, survivor: Organization, *, actor: User, reason: str) -> None:
    for relation in Organization._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created):
            continue
        model, field = relation.related_model, relation.field
        if model in (Organization, Membership) or _is_history(model):
            continue
        rows = model._default_manager.filter(**{field.name: merged})
        if model._meta.auto_created:
            # An automatic many-to-many table (an inspection's inspected organisations): link the survivor.
            other = next(f for f in model._meta.fields if f.is_relation and f is not field and f.name != "id")
            taken = set(model._default_manager.filter(**{field.name: survivor}).values_list(other.attname, flat=True))
            rows.exclude(**{f"{other.attname}__in": taken}).update(**{field.attname: survivor.pk})
            rows.delete()
            continue
        for row in rows.select_for_update():
            setattr(row, field.attname, survivor.pk)
            row._history_user = actor
            row._change_reason = reason[:100]
            row.save(update_fields=[field.attname])
