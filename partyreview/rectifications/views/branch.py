"""What a branch secretary or assignee does (本支部整改), mostly from a phone: see what the branch owes,
record progress with evidence, ask for 销号 or for more time, and open evidence within their scope.

Every page fetches through the viewer's scope, so another branch's measure or file answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from partyreview.accounts.models import Role
from partyreview.common.downloads import upload_response
from partyreview.common.errors import ActionRefused, StaleEdit
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import grants_of
from partyreview.rectifications import permissions as perms
from partyreview.rectifications import services
from partyreview.rectifications.evidence import ALLOWED_TYPES
from partyreview.rectifications.forms.branch import ExtensionForm, ProgressForm, SubmitForm, VersionedForm
from partyreview.rectifications.models import ExtensionStatus, Rectification, RectificationStatus
from partyreview.rectifications.selectors import (
    rectification_for_page,
    rectifications_for_list,
    rectifications_reported_by,
    reporter_worklist,
    with_people,
)

CLOSED_PER_PAGE = 30


@require_safe
@login_required
def my_branch(request: HttpRequest) -> HttpResponse:
    """Open measures grouped by what needs doing; ``?show=closed`` lists the closed ones."""
    user = request.user
    reported = rectifications_reported_by(user)
    counts = reported.aggregate(
        open=Count("pk", filter=~Q(status=RectificationStatus.CLOSED)),
        closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
    )
    branch_ids = [g.organization_id for g in grants_of(user) if g.role == Role.SECRETARY]
    context = {
        "branches": list(Organization.objects.filter(pk__in=branch_ids).order_by("path")) if branch_ids else [],
        "counts": counts,
        "show_closed": request.GET.get("show") == "closed",
    }
    if context["show_closed"]:
        closed = rectifications_for_list(reported.filter(status=RectificationStatus.CLOSED)).order_by(
            "-closed_at", "-id"
        )
        context["page"] = Paginator(closed, CLOSED_PER_PAGE).get_page(request.GET.get("page"))
        context["page"].object_list = with_people(context["page"].object_list)
        context["querystring"] = "show=closed"
    else:
        context["groups"] = [g for g in reporter_worklist(user) if g.rectifications]
    return render(request, "rectifications/my_branch.html", context)


def _rectification(request: HttpRequest, pk: int) -> Rectification:
    return rectification_for_page(rectifications_for_list(perms.rectifications_visible_to(request.user)), pk)


def _state_allows(rectification: Rectification, action: str) -> bool:
    return rectification.status in services.TRANSITIONS[action][0]


def _refuse(form: VersionedForm, rectification: Rectification, refused: ActionRefused) -> None:
    """Show the refusal on the form. After a stale edit the form takes the current version, so that
    sending it again, now that the user has read what changed, is a deliberate choice."""
    form.add_error(None, refused.message)
    if isinstance(refused, StaleEdit):
        rectification.refresh_from_db()
        form.data = form.data.copy()
        form.data["version"] = str(rectification.version)


def _leave_read_only(request: HttpRequest, rectification: Rectification, action: str) -> HttpResponse:
    messages.info(
        request,
        f"该整改措施当前状态为“{rectification.get_status_display()}”，不能{services.ACTION_LABELS[action]}。",
    )
    return redirect("rectifications:detail", pk=rectification.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    r = _rectification(request, pk)
    if not perms.can_record_progress(request.user, r):
        raise PermissionDenied
    if request.method == "POST":
        form = ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.rectification_record_progress(
                    actor=request.user,
                    rectification=r,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["files"],
                    expected_version=form.cleaned_data["version"],
                )
            except ActionRefused as refused:
                _refuse(form, r, refused)
            else:
                messages.success(request, "整改进展已保存。")
                return redirect("rectifications:detail", pk=r.pk)
    elif not _state_allows(r, "progress"):
        return _leave_read_only(request, r, "progress")
    else:
        form = ProgressForm(initial={"version": r.version})
    return render(request, "rectifications/progress_form.html", {"r": r, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    r = _rectification(request, pk)
    if not perms.can_submit_rectification(request.user, r):
        raise PermissionDenied
    evidence = list(r.evidence.order_by("created_at", "id"))
    if request.method == "POST":
        form = SubmitForm(request.POST, request.FILES, has_evidence=bool(evidence))
        if form.is_valid():
            try:
                services.rectification_submit(
                    actor=request.user,
                    rectification=r,
                    summary=form.cleaned_data["summary"],
                    files=form.cleaned_data["files"],
                    expected_version=form.cleaned_data["version"],
                )
            except ActionRefused as refused:
                _refuse(form, r, refused)
            else:
                messages.success(request, "已申请销号，请等待党务工作人员审核。审核前该措施不能修改。")
                return redirect("rectifications:detail", pk=r.pk)
    elif not _state_allows(r, "submit"):
        if r.status == RectificationStatus.PENDING:
            messages.info(request, "请先填报整改进展，再申请销号。")
            return redirect("rectifications:detail", pk=r.pk)
        return _leave_read_only(request, r, "submit")
    else:
        form = SubmitForm(initial={"version": r.version}, has_evidence=bool(evidence))
    return render(request, "rectifications/submit_form.html", {"r": r, "form": form, "evidence": evidence})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    r = _rectification(request, pk)
    if not perms.can_request_extension(request.user, r):
        raise PermissionDenied
    if request.method == "POST":
        form = ExtensionForm(request.POST, current_due_date=r.due_date)
        if form.is_valid():
            try:
                services.extension_request(
                    actor=request.user,
                    rectification=r,
                    new_due_date=form.cleaned_data["new_due_date"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                )
            except ActionRefused as refused:
                _refuse(form, r, refused)
            else:
                messages.success(request, "延期申请已提交，请等待党务工作人员审批。审批前整改时限不变。")
                return redirect("rectifications:detail", pk=r.pk)
    elif not _state_allows(r, "request_extension"):
        return _leave_read_only(request, r, "request_extension")
    elif r.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        messages.info(request, "已有一份延期申请等待审批，请等待审批结果。")
        return redirect("rectifications:detail", pk=r.pk)
    else:
        form = ExtensionForm(initial={"version": r.version}, current_due_date=r.due_date)
    return render(request, "rectifications/extension_form.html", {"r": r, "form": form})


@require_safe
@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(perms.evidence_visible_to(request.user), pk=pk)
    return upload_response(evidence, allowed_types=ALLOWED_TYPES)
