"""党员名册与党费: the roster, its import, the dues ledger and dues recording."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partyreview.common import params
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.organizations.models import Organization
from partyreview.orglife import imports, services
from partyreview.orglife import permissions as perms
from partyreview.orglife.forms import DuesForm, ImportForm, MemberForm
from partyreview.orglife.models import CURRENT_STATUSES, PartyMember
from partyreview.orglife.selectors import dues_ledger


def _branch(request: HttpRequest, org_pk: int) -> Organization:
    return get_object_or_404(perms.branches_visible_to(request.user), pk=org_pk)


@login_required
def member_list(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _branch(request, org_pk)
    members = PartyMember.objects.filter(organization=branch).order_by("status", "name")
    context = {
        "branch": branch,
        "members": members,
        "can_keep": perms.can_keep_records(request.user, branch),
        "import_form": ImportForm(),
    }
    return render(request, "orglife/member_list.html", context)


@login_required
def member_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _branch(request, org_pk)
    if not perms.can_keep_records(request.user, branch):
        messages.error(request, "您无权维护该党支部的党员名册。")
        return redirect("orglife:member_list", org_pk=branch.pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_create(actor=request.user, organization=branch, **data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已登记党员：{member.name}。")
            return redirect("orglife:member_list", org_pk=branch.pk)
    return render(request, "orglife/member_form.html", {"form": form, "branch": branch, "member": None})


@login_required
def member_update(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(perms.members_visible_to(request.user).select_related("organization"), pk=pk)
    branch = member.organization
    if not perms.can_keep_records(request.user, branch):
        messages.error(request, "您无权修改该党员信息。")
        return redirect("orglife:member_list", org_pk=branch.pk)
    # The form gets its own copy: validation writes into its instance, the service works from ``member``.
    form = MemberForm(request.POST or None, instance=PartyMember.objects.get(pk=member.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("dues_from") is None:
            data["dues_from"] = member.dues_from
        try:
            services.member_update(actor=request.user, member=member, **data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "党员信息已修改。")
            return redirect("orglife:member_list", org_pk=branch.pk)
    return render(request, "orglife/member_form.html", {"form": form, "branch": branch, "member": member})


@require_POST
@login_required
def member_import(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _branch(request, org_pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return redirect("orglife:member_list", org_pk=branch.pk)
    try:
        result = services.members_import(actor=request.user, organization=branch, upload=form.cleaned_data["file"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"导入完成：新增 {result.created} 人，更新 {result.updated} 人。")
    return redirect("orglife:member_list", org_pk=branch.pk)


@login_required
def dues_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The branch's dues view: who is behind by how many months, and the last twelve months paid or not."""
    branch = _branch(request, org_pk)
    months, rows = dues_ledger(branch, local_today())
    context = {
        "branch": branch,
        "months": months,
        "rows": rows,
        "behind": [r for r in rows if r.arrears and r.arrears.months_behind > 0],
        "can_keep": perms.can_keep_records(request.user, branch),
        "import_form": ImportForm(),
    }
    return render(request, "orglife/dues_ledger.html", context)


@login_required
def dues_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _branch(request, org_pk)
    if not perms.can_keep_records(request.user, branch):
        messages.error(request, "您无权登记该党支部的党费。")
        return redirect("orglife:dues", org_pk=branch.pk)
    members = PartyMember.objects.filter(organization=branch, status__in=CURRENT_STATUSES).order_by("name")
    member = params.read_id(request.GET, "member")
    initial = {"member": member} if member is not None else {}
    form = DuesForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = services.dues_record(
                actor=request.user,
                member=data["member"],
                first_month=data["first_month"],
                last_month=data["last_month"],
                amount=data["amount"],
                paid_on=data["paid_on"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已登记 {data['member'].name} {len(rows)} 个月的党费。")
            return redirect("orglife:dues", org_pk=branch.pk)
    return render(request, "orglife/dues_form.html", {"form": form, "branch": branch})


@require_POST
@login_required
def dues_import(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = _branch(request, org_pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要导入的 Excel 文件。")
        return redirect("orglife:dues", org_pk=branch.pk)
    try:
        result = services.dues_import(actor=request.user, organization=branch, upload=form.cleaned_data["file"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"导入完成：登记 {result.created} 个月，跳过已登记的 {result.skipped} 个月。")
    return redirect("orglife:dues", org_pk=branch.pk)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    names = {"members": "党员名册导入模板.xlsx", "dues": "党费台账导入模板.xlsx"}
    if kind not in names:
        return redirect("orglife:compliance")
    response = HttpResponse(imports.template_workbook(kind), content_type=imports.XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(names[kind])}"
    return response
