"""组织生活记录: list, record, read, correct, void; evidence downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from partyreview.common import params
from partyreview.common.downloads import upload_response
from partyreview.common.errors import ActionRefused
from partyreview.orglife import permissions as perms
from partyreview.orglife import services
from partyreview.orglife.forms import MeetingForm, VoidForm
from partyreview.orglife.models import MeetingType
from partyreview.orglife.selectors import meetings_for_list
from partyreview.rectifications.evidence import ALLOWED_TYPES


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    qs = meetings_for_list(perms.meetings_visible_to(request.user))
    branches = perms.branches_visible_to(request.user).order_by("path")
    org = params.read_id(request.GET, "org")
    if org is not None:
        qs = qs.filter(organization_id=org)
    kind = request.GET.get("type", "")
    if kind in MeetingType.values:
        qs = qs.filter(type_rows__type=kind)
    page = Paginator(qs.order_by("-held_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "branches": branches,
        "types": MeetingType.choices,
        "selected_org": str(org or ""),
        "selected_type": kind,
        "keepable": perms.keepable_branches(request.user).order_by("path"),
    }
    return render(request, "orglife/meeting_list.html", context)


@login_required
def meeting_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    branch = get_object_or_404(perms.branches_visible_to(request.user), pk=org_pk)
    if not perms.can_keep_records(request.user, branch):
        messages.error(request, "您无权为该党支部记录组织生活。")
        return redirect("orglife:branch", org_pk=branch.pk)
    initial_type = request.GET.get("type")
    form = MeetingForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "types": [initial_type] if initial_type in MeetingType.values else [],
            "held_at": timezone.localtime().replace(second=0, microsecond=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_record(
                actor=request.user,
                organization=branch,
                types=data["types"],
                held_at=data["held_at"],
                topic=data["topic"],
                speaker=data["speaker"],
                expected_count=data["expected_count"],
                present_count=data["present_count"],
                minutes=data["minutes"],
                files=data["files"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已记录：{'、'.join(meeting.type_labels)}（{meeting.topic}）。")
            return redirect("orglife:branch", org_pk=branch.pk)
    return render(request, "orglife/meeting_form.html", {"form": form, "branch": branch, "meeting": None})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings_for_list(perms.meetings_visible_to(request.user)), pk=pk)
    context = {
        "meeting": meeting,
        "can_edit": perms.can_edit_meeting(request.user, meeting),
        "void_form": VoidForm(),
        "history": meeting.history.select_related("history_user").order_by("-history_date")[:20],
    }
    return render(request, "orglife/meeting_detail.html", context)


@login_required
def meeting_update(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meetings_for_list(perms.meetings_visible_to(request.user)), pk=pk)
    if not perms.can_edit_meeting(request.user, meeting):
        messages.error(request, "您无权修改该记录，或该记录已作废。")
        return redirect("orglife:meeting_detail", pk=meeting.pk)
    initial = {
        "types": meeting.type_codes,
        "held_at": timezone.localtime(meeting.held_at),
        "topic": meeting.topic,
        "speaker": meeting.speaker,
        "expected_count": meeting.expected_count,
        "present_count": meeting.present_count,
        "minutes": meeting.minutes,
        "version": meeting.version,
    }
    form = MeetingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                actor=request.user,
                meeting=meeting,
                types=data["types"],
                held_at=data["held_at"],
                topic=data["topic"],
                speaker=data["speaker"],
                expected_count=data["expected_count"],
                present_count=data["present_count"],
                minutes=data["minutes"],
                files=data["files"],
                expected_version=data.get("version"),
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "记录已修改。")
            return redirect("orglife:meeting_detail", pk=meeting.pk)
    return render(
        request, "orglife/meeting_form.html", {"form": form, "branch": meeting.organization, "meeting": meeting}
    )


@require_POST
@login_required
def meeting_void(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(perms.meetings_visible_to(request.user), pk=pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写作废原因。")
        return redirect("orglife:meeting_detail", pk=meeting.pk)
    try:
        services.meeting_void(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "记录已作废，不再计入检查。")
    return redirect("orglife:meeting_detail", pk=meeting.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(perms.meeting_evidence_visible_to(request.user), pk=pk)
    return upload_response(item, allowed_types=ALLOWED_TYPES)
