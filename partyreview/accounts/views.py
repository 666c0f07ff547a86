"""Home dispatch, notifications and the personal settings page."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from partyreview.accounts.models import Role
from partyreview.accounts.services import notifications_mark_read, user_password_changed
from partyreview.common import params
from partyreview.organizations.permissions import is_admin, roles_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page that starts their work."""
    roles = roles_of(request.user)
    if Role.STAFF in roles:
        return redirect("inspections:workbench")
    if Role.LEADER in roles:
        return redirect("dashboards:index")
    if Role.SECRETARY in roles or Role.MEMBER in roles:
        return redirect("rectifications:my_branch")
    if is_admin(request.user):
        return redirect("admin:index")
    return render(request, "accounts/no_role.html")


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = request.user.notifications.all()
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_read(request: HttpRequest) -> HttpResponse:
    # No id at all means "all of them"; ids that are not ids are ignored, never "all of them".
    valid = params.read_ids(request.POST, "id")
    if request.POST.getlist("id") and not valid:
        messages.error(request, "未找到要标为已读的通知。")
        return redirect("accounts:notifications")
    count = notifications_mark_read(user=request.user, ids=valid or None)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("accounts:notifications")


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码; also ends the first-login restriction of an imported account."""

    def form_valid(self, form: object) -> HttpResponse:
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        return response
