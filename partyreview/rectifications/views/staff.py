"""Staff pages for rectifications: the register list, the review queue (待我审核) and the decisions.

Each decision is one form with its required text, posted from the review queue or the detail page. The
services lock the row and compare the version the user saw, so when two staff act at once one wins and the
other sees what happened, with their own text still in the box.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partyreview.common.errors import ActionRefused
from partyreview.common.paging import IdsFirstPaginator
from partyreview.common.redirects import next_url
from partyreview.organizations.permissions import is_staff
from partyreview.rectifications import counts, services
from partyreview.rectifications import permissions as perms
from partyreview.rectifications.filters import RectificationFilter
from partyreview.rectifications.forms.staff import (
    CloseForm,
    DecisionForm,
    EndLongTermForm,
    ExtensionDecisionForm,
    RectificationUpdateForm,
    ReopenForm,
    ReturnForm,
)
from partyreview.rectifications.models import ExtensionRequest, Rectification
from partyreview.rectifications.selectors import (
    extensions_awaiting_decision,
    rectification_for_page,
    rectifications_awaiting_review,
    rectifications_for_list,
    with_people,
)

PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 30


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    """整改台账 as a list: every filter in the URL, the same names the export and the dashboard use."""
    visible = perms.rectifications_visible_to(request.user)
    filterset = RectificationFilter(request.GET, queryset=visible, request=request)
    # Ids first, then the rows' names and lights: page 150 of the committee's overdue measures had
    # joined the 7,450 rows it skipped to their findings, inspections, organisations and people.
    # The total from the shared cache until a record changes (counts.py).
    paginator = IdsFirstPaginator(filterset.qs, PAGE_SIZE, rows=rectifications_for_list, count=counts.count)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = with_people(page.object_list)
    return render(request, "rectifications/rectification_list.html", {"filter": filterset, "page": page})


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """待我审核: submitted measures and extension requests in the staff member's scope, oldest first."""
    user = request.user
    if not is_staff(user):
        raise PermissionDenied("只有党务工作人员可以审核。")
    submitted = rectifications_awaiting_review(user).prefetch_related("evidence")
    extensions = extensions_awaiting_decision(user)
    page = Paginator(submitted, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_people(page.object_list)
    context = {
        "page": page,
        "extensions": extensions[:QUEUE_PAGE_SIZE],
        "extension_count": extensions.count(),
        "here": request.get_full_path(),
    }
    return render(request, "rectifications/review_queue.html", context)


def _managed(request: HttpRequest, pk: int) -> Rectification:
    """In scope or 404; in scope but not staff's to manage, 403."""
    rectification = rectification_for_page(rectifications_for_list(perms.rectifications_visible_to(request.user)), pk)
    if not perms.can_manage_rectification(request.user, rectification):
        raise PermissionDenied("只有负责该党组织的党务工作人员可以进行此操作。")
    return rectification


@login_required
def rectification_update(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _managed(request, pk)
    if rectification.is_closed:
        messages.error(request, "已销号的整改措施不能修改；如需重新整改，请使用“回头看”重新打开。")
        return redirect("rectifications:detail", pk=rectification.pk)
    form = RectificationUpdateForm(request.POST or None, rectification=rectification)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.rectification_update(
                actor=request.user,
                rectification=rectification,
                expected_version=data["version"],
                measure=data["measure"],
                assignee=data["assignee"],
                responsible_leader=data["responsible_leader"],
                kind=data["kind"],
                due_date=data["due_date"],
                report_cadence=data["report_cadence"],
                reason=data["reason"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "整改措施已保存。")
            return redirect("rectifications:detail", pk=rectification.pk)
    return render(request, "rectifications/rectification_form.html", {"form": form, "r": rectification})


# Each decision: its form, the service call, what to say when done, and the page title.
DECISIONS: dict[str, tuple[type[DecisionForm], Callable[..., Rectification], str, str]] = {
    "close": (
        CloseForm,
        lambda **kw: services.rectification_close(note=kw.pop("text"), **kw),
        "已销号：{r}。",
        "销号",
    ),
    "return": (
        ReturnForm,
        lambda **kw: services.rectification_return(reason=kw.pop("text"), **kw),
        "已退回：{r}，退回原因已通知支部。",
        "退回",
    ),
    "reopen": (
        ReopenForm,
        lambda **kw: services.rectification_reopen(reason=kw.pop("text"), **kw),
        "已重新打开：{r}（回头看），已通知支部继续整改。",
        "回头看重新打开",
    ),
    "end_long_term": (
        EndLongTermForm,
        lambda **kw: services.rectification_end_long_term(reason=kw.pop("text"), **kw),
        "已结束长期坚持：{r}，此后不再需要定期报告。",
        "结束长期坚持",
    ),
}


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET shows the decision page; POST decides. A refusal re-renders the page with the text kept."""
    rectification = _managed(request, pk)
    form_class, service, done, title = DECISIONS[action]
    default = reverse("rectifications:detail", args=[rectification.pk])
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                service(
                    actor=request.user,
                    rectification=rectification,
                    text=form.cleaned_data["text"],
                    expected_version=form.cleaned_data["version"],
                    **form.service_kwargs(),
                )
            except ActionRefused as refused:
                form.add_error(None, refused.message)
                # Show the row as it is now, so the user sees what the other person did.
                rectification = rectification_for_page(
                    rectifications_for_list(Rectification.objects.all()), rectification.pk
                )
            else:
                messages.success(request, done.format(r=rectification))
                return redirect(next_url(request, default))
    else:
        form = form_class(initial={"version": rectification.version})
    context = {
        "form": form,
        "r": rectification,
        "action": action,
        "title": title,
        "next": next_url(request, default),
    }
    return render(request, "rectifications/rectification_decide.html", context)


@login_required
def rectification_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "close")


@login_required
def rectification_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "return")


@login_required
def rectification_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reopen")


@login_required
def rectification_end_long_term(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "end_long_term")


@login_required
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject an extension request (延期申请). Approval moves ``due_date`` only."""
    visible = ExtensionRequest.objects.filter(rectification__in=perms.rectifications_visible_to(request.user))
    extension = get_object_or_404(
        visible.select_related("rectification__finding__inspection", "rectification__responsible_org", "requested_by"),
        pk=pk,
    )
    rectification = extension.rectification
    if not perms.can_manage_rectification(request.user, rectification):
        raise PermissionDenied("只有负责该党组织的党务工作人员可以审批延期。")
    default = reverse("rectifications:detail", args=[rectification.pk])
    form = ExtensionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.extension_decide(
                actor=request.user, extension=extension, approve=form.approve, note=form.cleaned_data["note"]
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            if form.approve:
                text = f"已批准延期，新的整改时限为 {decided.requested_due_date:%Y-%m-%d}。"
            else:
                text = "已不批准延期，理由已通知申请人。"
            messages.success(request, text)
            return redirect(next_url(request, default))
    context = {"form": form, "extension": extension, "r": rectification, "next": next_url(request, default)}
    return render(request, "rectifications/extension_decide.html", context)
