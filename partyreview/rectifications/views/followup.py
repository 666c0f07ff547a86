"""回头看 pages for staff: plan the checks of closed measures, the task lists, and a check's outcome.

The plan is previewed before it is scheduled: the same selector with the same seed draws the same sample,
and a measure that changed in between (scheduled by a colleague, reopened) refuses the confirmation with
the plan shown again, never a different plan saved silently. The outcome is recorded by the service under
a row lock, so a second submit, or a colleague's at the same moment, is told what was decided first.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.common.params import read_id, read_ids
from partyreview.inspections.models import Inspection
from partyreview.inspections.permissions import inspections_visible_to
from partyreview.organizations.permissions import is_staff, scope_q
from partyreview.rectifications import permissions as perms
from partyreview.rectifications import services
from partyreview.rectifications.forms.followup import FollowUpPlanForm, FollowUpRecordForm
from partyreview.rectifications.models import FollowUpOutcome, Rectification
from partyreview.rectifications.selectors import followup_candidates, followups_for_list, months_before

PAGE_SIZE = 50
# The most measures one plan may hold: a committee's look-back is sampled, not every measure it ever closed.
MAX_PLAN = 500


def _require_staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied("只有党务工作人员可以安排和填写回头看。")


def _task_list(request: HttpRequest, tasks: QuerySet, *, mine: bool) -> HttpResponse:
    _require_staff(request.user)
    today = local_today()
    page = Paginator(followups_for_list(tasks, today), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "mine": mine, "today": today}
    return render(request, "rectifications/followup_list.html", context)


@login_required
def followup_mine(request: HttpRequest) -> HttpResponse:
    """我的回头看任务: the checks given to this staff member, open ones first, the nearest deadline first."""
    return _task_list(request, perms.followups_visible_to(request.user).filter(inspector=request.user), mine=True)


@login_required
def followup_list(request: HttpRequest) -> HttpResponse:
    """全部回头看: every check of the measures in the staff member's scope."""
    return _task_list(request, perms.followups_visible_to(request.user), mine=False)


def _plan_scope(request: HttpRequest) -> tuple[Inspection | None, list[int], QuerySet[Rectification] | None]:
    """The measures a plan draws from: an inspection's or a chosen set, among those the user manages
    (None: neither given yet, the page asks for an inspection). An inspection or a measure outside the
    user's scope does not exist (404)."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    managed = Rectification.objects.filter(scope_q(user, field="responsible_org", roles={Role.STAFF}))
    inspection_id = read_id(data, "inspection")
    chosen = read_ids(data, "rectification")
    if inspection_id is not None:
        inspection = get_object_or_404(inspections_visible_to(user), pk=inspection_id)
        return inspection, [], managed.filter(finding__inspection=inspection, finding__is_archived=False)
    if chosen:
        chosen = sorted(set(chosen))[:MAX_PLAN]
        if managed.filter(pk__in=chosen).count() != len(chosen):
            raise Http404
        return None, chosen, managed.filter(pk__in=chosen)
    return None, [], None


def _candidates(form: FollowUpPlanForm, measures: QuerySet[Rectification], today: datetime.date) -> list[Rectification]:
    data = form.cleaned_data
    months = data.get("closed_months")
    return followup_candidates(
        measures,
        closed_on_or_before=months_before(today, months) if months else None,
        per_branch=data.get("per_branch"),
        seed=data["seed"],
    )[:MAX_PLAN]


@login_required
def followup_schedule(request: HttpRequest) -> HttpResponse:
    """安排回头看: choose, preview, confirm. Nothing is scheduled before the confirmation."""
    user = request.user
    _require_staff(user)
    inspection, chosen, measures = _plan_scope(request)
    if measures is None:
        inspections = inspections_visible_to(user).filter(is_archived=False).order_by("-start_date", "-id")
        return render(request, "rectifications/followup_schedule.html", {"inspections": inspections[:PAGE_SIZE]})
    today = local_today()
    plan: list[Rectification] | None = None
    planned_ids: set[int] = set()
    if request.method == "POST":
        form = FollowUpPlanForm(request.POST, user=user)
        if form.is_valid():
            plan = _candidates(form, measures, today)
            if request.POST.get("action") == "confirm":
                planned_ids = set(read_ids(request.POST, "planned"))
                plan_ids = {r.pk for r in plan}
                if not planned_ids:
                    form.add_error(None, "请至少勾选一项要回头看的整改措施。")
                elif not planned_ids <= plan_ids:
                    form.add_error(
                        None,
                        "预览之后计划有变化（条件有改动，或有措施已被安排回头看、已重新打开），"
                        "请核对下面的计划后重新确认。",
                    )
                    planned_ids = plan_ids
                else:
                    try:
                        reviews = services.followup_schedule(
                            actor=user,
                            rectifications=[r for r in plan if r.pk in planned_ids],
                            inspector=form.cleaned_data["inspector"],
                            due_date=form.cleaned_data["due_date"],
                        )
                    except ActionRefused as refused:
                        form.add_error(None, refused.message)
                    else:
                        inspector = form.cleaned_data["inspector"]
                        messages.success(
                            request,
                            f"已安排 {len(reviews)} 项回头看，复查人 {inspector.display_name}，"
                            f"期限 {form.cleaned_data['due_date']:%Y-%m-%d}。",
                        )
                        return redirect("rectifications:followup_list")
            else:
                planned_ids = {r.pk for r in plan}
    else:
        form = FollowUpPlanForm(user=user)
    context = {
        "form": form,
        "inspection": inspection,
        "chosen": chosen,
        "plan": plan,
        "planned_ids": planned_ids,
        "max_plan": MAX_PLAN,
    }
    return render(request, "rectifications/followup_schedule.html", context)


@login_required
def followup_record(request: HttpRequest, pk: int) -> HttpResponse:
    """回头看结论: 整改到位, or 问题反弹 which reopens the measure. Out of scope 404; in scope but not
    staff over the measure, 403."""
    visible = followups_for_list(perms.followups_visible_to(request.user))
    review = get_object_or_404(visible, pk=pk)
    if not perms.can_manage_rectification(request.user, review.rectification):
        raise PermissionDenied("只有负责该党组织的党务工作人员可以填写回头看结论。")
    form = FollowUpRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_record(
                actor=request.user,
                review=review,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
            # Show the check as it is now: the outcome a colleague (or the first submit) recorded.
            review = get_object_or_404(visible, pk=pk)
        else:
            if form.cleaned_data["outcome"] == FollowUpOutcome.RELAPSED:
                messages.warning(request, "已记录问题反弹：该整改措施已重新打开，已通知支部继续整改。")
            else:
                messages.success(request, "已记录回头看结论：整改到位。")
            return redirect("rectifications:followup_mine")
    return render(request, "rectifications/followup_record.html", {"form": form, "review": review})
