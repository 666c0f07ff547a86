"""整改看板 for committee leads (and staff, administrators): the figures, their .xlsx export, and 督办.

The figures are aggregated in a fixed number of grouped queries (selectors.py) and kept in the shared
cache until anything they count changes (cache.py), so what a lead or staff member just did shows on the
next page load. docs/decisions/dashboard.md says why.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partyreview.common.errors import ActionRefused
from partyreview.common.redirects import next_url
from partyreview.dashboards.cache import dashboard_figures, dashboard_part, dashboard_summary
from partyreview.dashboards.charts import chart_script
from partyreview.dashboards.export import dashboard_workbook
from partyreview.dashboards.forms import DashboardFilterForm, EscalationForm
from partyreview.dashboards.permissions import can_view_dashboard, dashboard_scope_q
from partyreview.dashboards.selectors import Dashboard
from partyreview.organizations.models import Organization
from partyreview.rectifications import permissions as rect_perms
from partyreview.rectifications import services
from partyreview.rectifications.selectors import rectifications_for_list, with_people

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_dashboard(request: HttpRequest) -> None:
    # Outside the roles the page does not exist, as for anything out of scope.
    if not can_view_dashboard(request.user):
        raise Http404


@login_required
def dashboard_index(request: HttpRequest) -> HttpResponse:
    _require_dashboard(request)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    filters = form.to_filter()
    dashboard = dashboard_summary(request.user, filters)

    @functools.cache
    def with_lists() -> Dashboard:
        # For a part of the page not in the cache: the same figures with their tables' rows.
        if dashboard.drawable:
            return dashboard
        return dashboard_figures(request.user, filters, dashboard.today, escalations=False)

    context = {
        "form": form,
        "dash": dashboard,
        "dash_with_lists": with_lists,
        "f": dashboard.filters,
        "h": dashboard.headline,
        # Kept as the <script> element: escaping 75 kB of JSON for it took 14 ms of every load.
        "chart_data": dashboard_part(dashboard, "charts-script", lambda: chart_script(with_lists())),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "dashboards/dashboard_index.html", context)


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    _require_dashboard(request)
    form = DashboardFilterForm(request.GET or None, user=request.user)
    dashboard = dashboard_figures(request.user, form.to_filter())
    response = HttpResponse(dashboard_workbook(dashboard), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard-{dashboard.today:%Y%m%d}.xlsx"'
    return response


@require_POST
@login_required
def escalation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 one measure, from the lead's panel on its page."""
    rectification = get_object_or_404(
        rectifications_for_list(rect_perms.rectifications_visible_to(request.user)), pk=pk
    )
    if not rect_perms.can_escalate(request.user, rectification):
        raise Http404
    form = EscalationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写督办要求（不超过500字）。")
        return redirect("rectifications:detail", pk=pk)
    try:
        services.escalation_create(
            actor=request.user, rectification=rectification, instruction=form.cleaned_data["instruction"]
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已督办，责任人和支部书记会收到通知。")
    return redirect("rectifications:detail", pk=pk)


@login_required
def escalation_create_for_organization(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 a branch: every open overdue measure of it, with one instruction."""
    _require_dashboard(request)
    organization = get_object_or_404(Organization.objects.filter(dashboard_scope_q(request.user, field="")), pk=pk)
    if not rect_perms.can_escalate_organization(request.user, organization):
        raise Http404
    back = next_url(request)
    form = EscalationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.escalation_create_for_organization(
                actor=request.user, organization=organization, instruction=form.cleaned_data["instruction"]
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已督办“{organization}”的 {len(done)} 项逾期整改措施。")
            return redirect(back or "dashboards:index")
    overdue = with_people(
        rectifications_for_list(
            rect_perms.rectifications_visible_to(request.user).overdue().filter(responsible_org=organization)
        ).order_by("due_date", "id")
    )
    return render(
        request,
        "dashboards/escalation_form.html",
        {"organization": organization, "form": form, "overdue": overdue, "next": back},
    )
