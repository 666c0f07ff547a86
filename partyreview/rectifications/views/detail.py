"""The rectification page every role shares: the measure, its state, its timeline, and the actions the
viewer may take (each role's panel is a template partial)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partyreview.rectifications import permissions as perms
from partyreview.rectifications.models import ExtensionStatus
from partyreview.rectifications.selectors import (
    rectification_for_page,
    rectification_timeline,
    rectifications_for_list,
)


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = rectification_for_page(
        rectifications_for_list(perms.rectifications_visible_to(request.user)).select_related("finding__organization"),
        pk,
    )
    user = request.user
    pending_extension = rectification.extension_requests.filter(status=ExtensionStatus.PENDING).first()
    context = {
        "r": rectification,
        "timeline": rectification_timeline(rectification),
        "pending_extension": pending_extension,
        "can_manage": perms.can_manage_rectification(user, rectification),
        "can_close": perms.can_close_rectification(user, rectification),
        "can_report": perms.can_record_progress(user, rectification),
        "can_submit": perms.can_submit_rectification(user, rectification),
        "can_extend": perms.can_request_extension(user, rectification),
        "can_escalate": perms.can_escalate(user, rectification),
    }
    return render(request, "rectifications/rectification_detail.html", context)
