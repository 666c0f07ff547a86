"""The people picker's search, and the tree and import pages for administrators."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from partyreview.accounts.models import Role, User
from partyreview.common import params
from partyreview.common.errors import ActionRefused
from partyreview.intake.onboarding import people as people_import
from partyreview.intake.onboarding import tree as tree_import
from partyreview.organizations import services
from partyreview.organizations.forms import DeactivateForm, ImportForm, MergeForm, MoveForm, RenameForm
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.organizations.selectors import assignable_users, leaders_for, people_in, people_search
from partyreview.organizations.services import can_change_tree

# Who may be chosen for which field, given the measure's organisation.
CANDIDATES = {"assignee": assignable_users, "leader": leaders_for}


@require_GET
@login_required
def person_search(request: HttpRequest) -> JsonResponse:
    """选人：people matching ``q`` among those staff may choose, for the pickers' script.

    With ``organization`` (a measure's 责任单位) the candidates are that field's (``role``: assignee or
    leader); without it, everyone serving in the staff member's scope. Only staff choose people: anyone
    else, and an organisation outside the scope, gets 404.
    """
    scope = organizations_visible_to(request.user, roles={Role.STAFF})
    if request.GET.get("organization", ""):
        org_id = params.read_id(request.GET, "organization")
        if org_id is None:
            raise Http404
        organization = get_object_or_404(scope, pk=org_id)
        candidates = CANDIDATES.get(request.GET.get("role", "assignee"))
        if candidates is None:
            raise Http404
        people = candidates(organization)
    else:
        if not scope.exists():
            raise Http404
        people = people_in(scope)
    found = people_search(people, query=params.read_keyword(request.GET)[:50])
    return JsonResponse(
        {"results": [{"id": p.pk, "name": p.display_name, "detail": "、".join(orgs[:3])} for p, orgs in found]}
    )


ACTIONS = {
    "rename": (RenameForm, "已更名。"),
    "move": (MoveForm, "已调整隶属关系，下级党组织一并调整。"),
    "merge": (MergeForm, "已合并，原党组织标记为已撤销。"),
    "deactivate": (DeactivateForm, "已标记为已撤销。"),
}


def _tree_admin(request: HttpRequest) -> None:
    if not can_change_tree(request.user):
        raise Http404


@require_GET
@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    """党组织管理: the whole tree, for administrators."""
    _tree_admin(request)
    qs = Organization.objects.select_related("parent").order_by("path")
    typed = params.read_keyword(request.GET)[:50]
    if typed:
        qs = qs.filter(Q(name__icontains=typed) | Q(code__icontains=typed))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(request, "organizations/organization_list.html", {"page": page, "q": typed})


@login_required
def organization_change(request: HttpRequest, pk: int) -> HttpResponse:
    """调整党组织: rename, move, merge or mark 已撤销, for administrators."""
    _tree_admin(request)
    organization = get_object_or_404(Organization.objects.select_related("parent"), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms_by_action = {}
    for name, (form_class, _done) in ACTIONS.items():
        data = request.POST if action == name else None
        kwargs = {"organization": organization} if form_class in (MoveForm, MergeForm) else {}
        initial = {"name": organization.name} if name == "rename" else None
        forms_by_action[name] = form_class(data, initial=initial, **kwargs)
    if action in ACTIONS:
        form = forms_by_action[action]
        if form.is_valid():
            try:
                _apply(action, request.user, organization, form.cleaned_data)
            except ActionRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, ACTIONS[action][1])
                return redirect("organizations:change", pk=organization.pk)
    history = organization.history.select_related("history_user").order_by("-history_date")[:20]
    context = {"organization": organization, "forms": forms_by_action, "history": history}
    return render(request, "organizations/organization_change.html", context)


def _apply(action: str, actor: User, organization: Organization, data: dict) -> None:
    if action == "rename":
        services.organization_rename(actor=actor, organization=organization, name=data["name"])
    elif action == "move":
        services.organization_move(actor=actor, organization=organization, parent=data["parent"])
    elif action == "merge":
        services.organization_merge(actor=actor, merged=organization, survivor=data["survivor"])
    else:
        services.organization_deactivate(actor=actor, organization=organization, reason=data["reason"])


# ---- 导入党组织 / 导入人员 ------------------------------------------------------------------------------

IMPORTS = {
    "tree": (tree_import.plan_tree, tree_import.apply_tree, "导入党组织", "党组织"),
    "people": (people_import.plan_people, people_import.apply_people, "导入人员", "人员"),
}
SESSION_KEY = "onboarding_upload"


@login_required
def import_tree(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "tree")


@login_required
def import_people(request: HttpRequest) -> HttpResponse:
    return _import_page(request, "people")


def _import_page(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload → preview (every row's action and message, nothing written) → confirm (all or nothing)."""
    _tree_admin(request)
    plan_of, _apply, title, noun = IMPORTS[kind]
    context = {"kind": kind, "title": title, "noun": noun, "form": ImportForm()}
    if request.method != "POST":
        return render(request, "organizations/import.html", context)
    if request.POST.get("step") == "confirm":
        return _confirm(request, kind, context)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "organizations/import.html", context)
    data = form.cleaned_data["file"].read()
    try:
        plan = plan_of(data)
    except ActionRefused as refused:
        form.add_error("file", refused.message)
        return render(request, "organizations/import.html", context)
    token = secrets.token_hex(16)
    default_storage.save(_upload_name(token), ContentFile(data))
    request.session[SESSION_KEY] = {"token": token, "kind": kind}
    context.update(plan=plan, token=token)
    return render(request, "organizations/import.html", context)


def _upload_name(token: str) -> str:
    return f"onboarding/{token}.xlsx"


def _confirm(request: HttpRequest, kind: str, context: dict) -> HttpResponse:
    plan_of, apply, _title, _noun = IMPORTS[kind]
    held = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if (
        not token
        or held.get("token") != token
        or held.get("kind") != kind
        or not default_storage.exists(_upload_name(token))
    ):
        messages.error(request, "上传的文件已失效，请重新上传。")
        return redirect(f"organizations:import_{kind}")
    with default_storage.open(_upload_name(token)) as stored:
        data = stored.read()
    # Planned again: the database may have changed since the preview.
    plan = plan_of(data)
    try:
        result = apply(plan, actor=request.user, deactivate_missing=request.POST.get("deactivate_missing") == "on")
    except ActionRefused as refused:
        messages.error(request, refused.message)
        context.update(plan=plan, token=token)
        return render(request, "organizations/import.html", context)
    default_storage.delete(_upload_name(token))
    del request.session[SESSION_KEY]
    context["result"] = result
    response = render(request, "organizations/import_done.html", context)
    # The initial passwords are on this page only: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
