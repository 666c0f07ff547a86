"""Staff pages for inspections and findings: the workbench, inspections, and filing, editing and archiving
findings with their measures.

Lists and detail pages are readable by everyone in scope (leaders arrive from dashboard links, a
secretary sees only the branch); every write is for staff and is checked again by the services.

A finding's progress is derived from its measures, so these views read through
``partyreview.rectifications.selectors`` and file through ``rectifications.services.finding_file``. Views
are the top of the stack; the layers below keep the one-way order (docs/decisions/finding-status-derived.md).
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partyreview.accounts.models import User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.common.paging import Paginator
from partyreview.inspections import services
from partyreview.inspections.filters import InspectionFilter
from partyreview.inspections.forms import FindingArchiveForm, FindingForm, FindingUpdateForm, InspectionForm
from partyreview.inspections.models import Category, Finding, Inspection
from partyreview.inspections.permissions import (
    can_manage_finding,
    can_manage_inspection,
    can_read_inspection_report,
    findings_visible_to,
    inspections_visible_to,
)
from partyreview.inspections.selectors import (
    REPORT_DUE_WINDOW_DAYS,
    findings_for_list,
    inspections_for_list,
    inspections_report_due_soon,
    organizations_for_filing,
    similar_earlier_findings,
    staff_organizations,
)
from partyreview.organizations.permissions import is_staff
from partyreview.rectifications import counts
from partyreview.rectifications import services as rectification_services
from partyreview.rectifications.filters import FindingFilter
from partyreview.rectifications.forms.staff import MeasureForm, MeasureFormSet
from partyreview.rectifications.models import FollowUpOutcome
from partyreview.rectifications.permissions import followups_visible_to, rectifications_visible_to
from partyreview.rectifications.selectors import (
    FindingStatus,
    extensions_awaiting_decision,
    findings_with_progress,
    inspections_with_progress,
    measure_suggestions,
    rectifications_awaiting_review,
    rectifications_for_list,
    with_people,
)

PAGE_SIZE = 50
WORKBENCH_ROWS = 8


def _require_staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied("只有党务工作人员可以进行此操作。")


def _page(request: HttpRequest, qs: object, size: int = PAGE_SIZE, count: Callable | None = None) -> object:
    return Paginator(qs, size, count=count).get_page(request.GET.get("page"))


# ---- the workbench -----------------------------------------------------------------------------------


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: what needs the staff member today, most urgent first."""
    user = request.user
    if not is_staff(user):
        return redirect("home")
    today = local_today()
    review = rectifications_awaiting_review(user)
    extensions = extensions_awaiting_decision(user)
    in_scope = rectifications_for_list(rectifications_visible_to(user), today)
    overdue = in_scope.overdue(today).order_by("due_date", "id")
    due_soon = in_scope.due_soon(today)
    inspections = inspections_visible_to(user)  # built once: the scope's subqueries cost 5 ms to build
    reports = inspections_report_due_soon(inspections, today=today)
    context = {
        "today": today,
        "review": with_people(review[:WORKBENCH_ROWS]),
        # The counts from the shared cache until a record changes (counts.py).
        "review_count": counts.count(review),
        "extensions": extensions[:WORKBENCH_ROWS],
        "extension_count": counts.count(extensions),
        "overdue": with_people(overdue[:WORKBENCH_ROWS]),
        "overdue_count": counts.count(overdue),
        "due_soon_count": counts.count(due_soon),
        "reports": reports[:WORKBENCH_ROWS],
        # 回头看 given to this staff member and not yet decided: one small count.
        "followup_count": followups_visible_to(user).filter(inspector=user, outcome=FollowUpOutcome.PENDING).count(),
        "report_window": REPORT_DUE_WINDOW_DAYS,
        "recent_inspections": inspections_for_list(
            inspections.filter(is_archived=False).order_by("-start_date", "-id")
        )[:5],
    }
    return render(request, "inspections/workbench.html", context)


# ---- inspections -------------------------------------------------------------------------------------


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = inspections_for_list(inspections_visible_to(user)).order_by("-start_date", "-id")
    filterset = InspectionFilter(request.GET, queryset=visible, request=request)
    mine = findings_visible_to(user).filter(is_archived=False)
    inspections = inspections_with_progress(filterset.qs, findings=mine)
    return render(
        request,
        "inspections/inspection_list.html",
        {"filter": filterset, "page": _page(request, inspections), "can_create": is_staff(user)},
    )


@login_required
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_staff(user)
    form = InspectionForm(request.POST or None, organizations=staff_organizations(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                actor=user,
                title=data["title"],
                kind=data["kind"],
                inspecting_org=data["inspecting_org"],
                inspected_orgs=data["inspected_orgs"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                feedback_date=data["feedback_date"],
                report_due_date=data["report_due_date"],
                report_submitted_on=data["report_submitted_on"],
                notes=data["notes"],
                owners=data["owners"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已创建检查“{inspection.title}”。现在可以录入问题。")
            return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form})


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = get_object_or_404(inspections_for_list(inspections_visible_to(user)), pk=pk)
    mine = findings_visible_to(user).filter(is_archived=False)
    totals = inspections_with_progress(Inspection.objects.filter(pk=inspection.pk), findings=mine).get()
    findings = findings_with_progress(findings_for_list(mine.filter(inspection=inspection))).order_by("sequence")
    today = local_today()
    report_days = (inspection.report_due_date - today).days if inspection.report_due_date else None
    context = {
        "inspection": inspection,
        "totals": totals,
        "page": _page(request, findings),
        "owners": list(inspection.owners.all()),
        "inspected": list(inspection.inspected_orgs.all()),
        "report_days": report_days,
        "can_manage": can_manage_inspection(user, inspection),
        "can_read_report": can_read_inspection_report(user, inspection),
        "can_file": not inspection.is_archived and organizations_for_filing(user, inspection).exists(),
        "status_labels": FindingStatus.LABELS,
    }
    return render(request, "inspections/inspection_detail.html", context)


@login_required
def inspection_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    inspection = get_object_or_404(inspections_visible_to(user), pk=pk)
    if not can_manage_inspection(user, inspection):
        raise PermissionDenied("您无权修改该检查。")
    form = InspectionForm(request.POST or None, instance=inspection, organizations=staff_organizations(user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owners = data.pop("owners")
        try:
            services.inspection_update(actor=user, inspection=inspection, owners=owners or [user], **data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "检查信息已保存。")
            return redirect("inspections:detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "inspection": inspection})


# ---- findings ----------------------------------------------------------------------------------------


def _category_days() -> dict[str, int]:
    """Default time limits by category, for the deadline hint the page script shows."""
    return {
        str(pk): days
        for pk, days in Category.objects.filter(default_days__isnull=False).values_list("pk", "default_days")
    }


def _measure_library(user: User) -> dict[str, list[dict[str, object]]]:
    """整改措施库 by category, for the page script's one-click suggestions (the committee's most used first)."""
    return {
        str(category_id): [{"text": s.text, "kind": s.kind, "uses": s.uses} for s in suggestions]
        for category_id, suggestions in measure_suggestions(user).items()
    }


@login_required
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    """录入问题: the finding and its measures on one page, saved together or not at all."""
    user = request.user
    inspection = get_object_or_404(inspections_visible_to(user), pk=pk)
    organizations = organizations_for_filing(user, inspection)
    if not organizations.exists():
        raise PermissionDenied("您无权为本次检查录入问题。")
    if inspection.is_archived:
        messages.error(request, "该检查已归档，不能再录入问题。")
        return redirect("inspections:detail", pk=inspection.pk)

    # "保存并继续录入" comes back here with the organisation and date it used, for the next of twenty findings.
    initial = {key: request.GET[key] for key in ("organization", "found_on") if request.GET.get(key)}
    form = FindingForm(request.POST or None, initial=initial, organizations=organizations)
    organization = form.selected_organization()
    found_on = form.selected_found_on()
    formset = MeasureFormSet(
        request.POST or None,
        prefix="measures",
        form_kwargs={"organization": organization, "category": form.selected_category(), "found_on": found_on},
    )
    if request.method == "POST":
        form_ok = form.is_valid()
        formset_ok = formset.is_valid()
        if form_ok and formset_ok:
            finding = _file(form, formset, user=user, inspection=inspection)
            if finding is not None:
                count = finding.rectifications.count()
                messages.success(request, f"已录入第 {finding.sequence} 项问题及 {count} 项整改措施。")
                if "save_and_add" in request.POST:
                    query = f"organization={finding.organization_id}&found_on={finding.found_on:%Y-%m-%d}"
                    return redirect(f"{reverse('inspections:finding_create', args=[inspection.pk])}?{query}")
                return redirect("inspections:finding_detail", pk=finding.pk)
    context = {
        "inspection": inspection,
        "form": form,
        "formset": formset,
        "category_days": _category_days(),
        "measure_library": _measure_library(user),
    }
    return render(request, "inspections/finding_form.html", context)


def _file(form: FindingForm, formset: object, *, user: User, inspection: Inspection) -> Finding | None:
    data = form.cleaned_data
    measures = [
        rectification_services.MeasureInput(
            measure=m["measure"],
            assignee=m["assignee"],
            due_date=m["due_date"],
            kind=m["kind"],
            responsible_leader=m.get("responsible_leader"),
            past_due_confirmed=m.get("past_due_confirmed", False),
            report_cadence=m.get("report_cadence", ""),
        )
        for m in formset.cleaned_data
        if m
    ]
    try:
        return rectification_services.finding_file(
            actor=user,
            inspection=inspection,
            organization=data["organization"],
            category=data["category"],
            description=data["description"],
            found_on=data["found_on"],
            severity=data["severity"],
            basis=data["basis"],
            measures=measures,
        )
    except ActionRefused as refused:
        form.add_error(None, refused.message)
        return None


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    """问题清单, filtered in the URL so a list can be bookmarked and shared."""
    user = request.user
    qs = findings_with_progress(findings_for_list(findings_visible_to(user))).order_by(
        "-inspection__start_date", "inspection_id", "sequence"
    )
    filterset = FindingFilter(request.GET, queryset=qs, request=request)
    return render(
        request,
        "inspections/finding_list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset.qs, count=counts.count),  # the total cached (counts.py)
            "status_labels": FindingStatus.LABELS,
        },
    )


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = get_object_or_404(
        findings_with_progress(findings_for_list(findings_visible_to(user))).select_related("created_by"), pk=pk
    )
    rectifications = with_people(
        rectifications_for_list(rectifications_visible_to(user).filter(finding=finding)).order_by("number")
    )
    context = {
        "finding": finding,
        "rectifications": rectifications,
        "history": finding.history.select_related("history_user").order_by("-history_date")[:20],
        "can_manage": can_manage_finding(user, finding.organization),
        "status_labels": FindingStatus.LABELS,
        "similar": similar_earlier_findings(finding, findings_visible_to(user)),
    }
    return render(request, "inspections/finding_detail.html", context)


def _managed_finding(request: HttpRequest, pk: int) -> Finding:
    finding = get_object_or_404(findings_for_list(findings_visible_to(request.user)), pk=pk)
    if not can_manage_finding(request.user, finding.organization):
        raise PermissionDenied("您无权修改该问题。")
    return finding


@login_required
def finding_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    finding = _managed_finding(request, pk)
    measures = list(finding.rectifications.select_related("responsible_org"))
    form = FindingUpdateForm(
        request.POST or None,
        instance=finding,
        organizations=organizations_for_filing(user, finding.inspection),
        measure_orgs=[m.responsible_org for m in measures],
        earliest_due=min((m.due_date for m in measures), default=None),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.finding_update(actor=user, finding=finding, expected_version=version, **data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "问题信息已保存。")
            return redirect("inspections:finding_detail", pk=finding.pk)
    return render(request, "inspections/finding_update.html", {"form": form, "finding": finding})


@login_required
def finding_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """归档 instead of delete: the finding leaves the lists; its record and history stay."""
    user = request.user
    finding = _managed_finding(request, pk)
    if finding.is_archived:
        messages.info(request, "该问题已归档。")
        return redirect("inspections:finding_detail", pk=finding.pk)
    form = FindingArchiveForm(request.POST or None, initial={"version": finding.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.finding_archive(
                actor=user,
                finding=finding,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"第 {finding.sequence} 项问题已归档，不再出现在问题清单中。")
            return redirect("inspections:detail", pk=finding.inspection_id)
    return render(request, "inspections/finding_archive.html", {"form": form, "finding": finding})


@login_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one more measure to a filed finding (a problem turns out to need another step)."""
    user = request.user
    finding = _managed_finding(request, pk)
    if finding.is_archived:
        messages.error(request, "该问题已归档，不能再添加整改措施。")
        return redirect("inspections:finding_detail", pk=finding.pk)
    form = MeasureForm(
        request.POST or None, organization=finding.organization, category=finding.category, found_on=finding.found_on
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rectification = rectification_services.rectification_create(
                actor=user,
                finding=finding,
                measure=data["measure"],
                assignee=data["assignee"],
                due_date=data["due_date"],
                kind=data["kind"],
                responsible_leader=data.get("responsible_leader"),
                past_due_confirmed=data.get("past_due_confirmed", False),
                report_cadence=data.get("report_cadence", ""),
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已添加整改措施 {rectification.number}：{rectification.headline}")
            return redirect("inspections:finding_detail", pk=finding.pk)
    return render(request, "inspections/measure_form.html", {"form": form, "finding": finding})
