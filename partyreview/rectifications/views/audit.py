"""审计记录: what one person changed, for staff and administrators, within the viewer's own scope.

Read-only: history is written by the services and never edited from the UI."""

from itertools import chain

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from partyreview.accounts.models import Role, User
from partyreview.inspections.models import Finding
from partyreview.organizations.permissions import is_staff, scope_q
from partyreview.rectifications.models import Rectification

PER_PAGE = 50
# The newest records of each kind that one page may draw from; older ones are reached by paging.
WINDOW = 2000


@login_required
def audit_user(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    if not is_staff(viewer):
        raise Http404
    person = get_object_or_404(User, pk=pk)
    staff_roles = {Role.STAFF, Role.ADMIN}
    findings = (
        Finding.history.filter(history_user=person)
        .filter(scope_q(viewer, field="organization", roles=staff_roles))
        .select_related("organization", "inspection")
        .order_by("-history_date")[:WINDOW]
    )
    measures = (
        Rectification.history.filter(history_user=person)
        .filter(scope_q(viewer, field="responsible_org", roles=staff_roles))
        .select_related("responsible_org", "finding")
        .order_by("-history_date")[:WINDOW]
    )
    records = sorted(chain(findings, measures), key=lambda h: h.history_date, reverse=True)
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "rectifications/audit_user.html", {"person": person, "page": page})
