"""The reminders' pages: a person's digest, their e-mail preference, and the status page for staff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partyreview.common.errors import ActionRefused
from partyreview.reminders import selectors, services
from partyreview.reminders.digests import build_digest, summary_links
from partyreview.reminders.forms import ReminderPreferencesForm
from partyreview.reminders.models import ReminderPolicy
from partyreview.reminders.permissions import can_manage_reminders, can_run_sweep


@login_required
def digest_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """What one sweep reminded this person of; the in-app notification links here. Anyone else: 404."""
    run = get_object_or_404(selectors.digest_runs_for(request.user), pk=run_id)
    digest = build_digest(selectors.digest_items(run_id=run.pk, recipient=request.user), day=run.day)
    return render(
        request,
        "reminders/digest_detail.html",
        {
            "run": run,
            "digest": digest,
            "summary_links": summary_links(digest.summary) if digest.summary else None,
        },
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    # An unchecked box posts nothing at all, so bind on the method, not on whether POST has data.
    form = ReminderPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"email_notifications": request.user.email_notifications},
    )
    if request.method == "POST" and form.is_valid():
        services.reminder_preferences_update(
            user=request.user, email_notifications=form.cleaned_data["email_notifications"]
        )
        messages.success(request, "提醒设置已保存。")
        return redirect("reminders:preferences")
    policy = ReminderPolicy.load()
    return render(
        request,
        "reminders/preferences_form.html",
        {"form": form, "email_available": services.email_channel_on(policy), "policy": policy},
    )


@login_required
def reminder_status(request: HttpRequest) -> HttpResponse:
    if not can_manage_reminders(request.user):
        raise Http404
    policy = ReminderPolicy.load()
    return render(
        request,
        "reminders/reminder_status.html",
        {
            "status": selectors.reminder_status(),
            "policy": policy,
            "email_on": services.email_channel_on(policy),
            "email_setting": settings.REMINDER_EMAIL_ENABLED,
            "can_run_sweep": can_run_sweep(request.user),
        },
    )


@require_POST
@login_required
def deliveries_retry(request: HttpRequest) -> HttpResponse:
    if not can_manage_reminders(request.user):
        raise Http404
    try:
        count = services.deliveries_retry_failed(actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        if count:
            messages.success(request, f"已重新发送 {count} 条失败的投递。")
        else:
            messages.info(request, "没有需要重发的投递。")
    return redirect("reminders:status")


@require_POST
@login_required
def sweep_run(request: HttpRequest) -> HttpResponse:
    if not can_manage_reminders(request.user):
        raise Http404
    try:
        services.sweep_request(actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交提醒扫描，稍后刷新本页查看结果。")
    return redirect("reminders:status")
