"""What a branch secretary or assignee does (本支部整改), mostly from a phone: see what the branch owes,
record progress with evidence, ask for 销号 or for more time, and open evidence within their scope.

Every page fetches through the viewer's scope, so another branch's measure or file answers 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

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
from partyreview.rectifications.forms.branch import (
    ExtensionForm,
    PeriodReportForm,
    ProgressForm,
    SubmitForm,
    VersionedForm,
)
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


@dataclass(frozen=True)
class BranchAction:
    """One thing a secretary or assignee does on a measure: who may, its form, the service it calls.

    ``form`` builds the form from (measure, data, files, evidence on file); ``call`` hands the cleaned
    values to the service; ``not_yet`` may turn a GET away with a message before the form is shown.
    """

    state: str
    allowed: Callable[..., bool]
    form: Callable[..., VersionedForm]
    call: Callable[..., object]
    done: str
    template: str
    not_yet: Callable[[Rectification], str | None] = lambda r: None
    needs_evidence: bool = False


def _submit_not_yet(r: Rectification) -> str | None:
    return "请先填报整改进展，再申请销号。" if r.status == RectificationStatus.PENDING else None


def _extension_not_yet(r: Rectification) -> str | None:
    if _state_allows(r, "request_extension") and r.extension_requests.filter(status=ExtensionStatus.PENDING).exists():
        return "已有一份延期申请等待审批，请等待审批结果。"
    return None


def _period_report_not_yet(r: Rectification) -> str | None:
    if not r.is_long_term:
        return "只有长期坚持的整改措施需要填报定期报告。"
    if not r.is_kept_up:
        return "该长期坚持措施已结束，无需再填报定期报告。"
    return None


BRANCH_ACTIONS: dict[str, BranchAction] = {
    "progress": BranchAction(
        state="progress",
        allowed=perms.can_record_progress,
        form=lambda r, data, files, evidence: ProgressForm(data, files),
        call=lambda user, r, c: services.rectification_record_progress(
            actor=user, rectification=r, note=c["note"], files=c["files"], expected_version=c["version"]
        ),
        done="整改进展已保存。",
        template="rectifications/progress_form.html",
    ),
    "submit": BranchAction(
        state="submit",
        allowed=perms.can_submit_rectification,
        form=lambda r, data, files, evidence: SubmitForm(data, files, has_evidence=bool(evidence)),
        call=lambda user, r, c: services.rectification_submit(
            actor=user, rectification=r, summary=c["summary"], files=c["files"], expected_version=c["version"]
        ),
        done="已申请销号，请等待党务工作人员审核。审核前该措施不能修改。",
        template="rectifications/submit_form.html",
        not_yet=_submit_not_yet,
        needs_evidence=True,
    ),
    "request_extension": BranchAction(
        state="request_extension",
        allowed=perms.can_request_extension,
        form=lambda r, data, files, evidence: ExtensionForm(data, current_due_date=r.due_date),
        call=lambda user, r, c: services.extension_request(
            actor=user,
            rectification=r,
            new_due_date=c["new_due_date"],
            reason=c["reason"],
            expected_version=c["version"],
        ),
        done="延期申请已提交，请等待党务工作人员审批。审批前整改时限不变。",
        template="rectifications/extension_form.html",
        not_yet=_extension_not_yet,
    ),
    "report_period": BranchAction(
        state="report_period",
        allowed=perms.can_record_progress,
        form=lambda r, data, files, evidence: PeriodReportForm(data, files),
        call=lambda user, r, c: services.rectification_report_period(
            actor=user, rectification=r, note=c["note"], files=c["files"], expected_version=c["version"]
        ),
        done="定期报告已保存。",
        template="rectifications/period_report_form.html",
        not_yet=_period_report_not_yet,
    ),
}


def _act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """GET shows the action's form (or says why not now); POST calls its service. A refusal keeps the text."""
    action = BRANCH_ACTIONS[name]
    r = _rectification(request, pk)
    if not action.allowed(request.user, r):
        raise PermissionDenied
    evidence = list(r.evidence.order_by("created_at", "id")) if action.needs_evidence else []
    if request.method == "POST":
        form = action.form(r, request.POST, request.FILES, evidence)
        if form.is_valid():
            try:
                action.call(request.user, r, form.cleaned_data)
            except ActionRefused as refused:
                _refuse(form, r, refused)
            else:
                messages.success(request, action.done)
                return redirect("rectifications:detail", pk=r.pk)
    else:
        reason = action.not_yet(r)
        if reason:
            messages.info(request, reason)
            return redirect("rectifications:detail", pk=r.pk)
        if not _state_allows(r, action.state):
            return _leave_read_only(request, r, action.state)
        form = action.form(r, None, None, evidence)
        form.initial["version"] = r.version
    return render(request, action.template, {"r": r, "form": form, "evidence": evidence})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def progress_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "progress")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def rectification_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "submit")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "request_extension")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def period_report_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "report_period")


@require_safe
@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(perms.evidence_visible_to(request.user), pk=pk)
    return upload_response(evidence, allowed_types=ALLOWED_TYPES)
