"""The people picker's search, and the tree pages for administrators."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from partyreview.accounts.models import Role
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.organizations.selectors import assignable_users, leaders_for, people_in, people_search

# Who may be chosen for which field, given the measure's organisation.
CANDIDATES = {"assignee": assignable_users, "leader": leaders_for}


@require_GET
@login_required
def person_search(request: HttpRequest) -> JsonResponse:
    """选人：people matching ``q`` among those staff may choose, for the pickers' script.

    With ``organization`` (a measure's 责任单位) the candidates are that field's (``role``: assignee or
    leader); without it, everyone serving in the staff member's scope. Only staff choose people: anyone
    else, and an organisation outside the scope, gets 404.
    """
    scope = organizations_visible_to(request.user, roles={Role.STAFF})
    raw_org = request.GET.get("organization", "")
    if raw_org:
        if not raw_org.isdigit():
            raise Http404
        organization = get_object_or_404(scope, pk=int(raw_org))
        candidates = CANDIDATES.get(request.GET.get("role", "assignee"))
        if candidates is None:
            raise Http404
        people = candidates(organization)
    else:
        if not scope.exists():
            raise Http404
        people = people_in(scope)
    found = people_search(people, query=request.GET.get("q", "")[:50])
    return JsonResponse(
        {"results": [{"id": p.pk, "name": p.display_name, "detail": "、".join(orgs[:3])} for p, orgs in found]}
    )
