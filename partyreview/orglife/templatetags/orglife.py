"""Organisational-life cards that other pages include with one tag.

``{% load orglife %}`` then:

- ``{% orglife_branch_card branch %}`` on a secretary's home: "本月还需：支委会、主题党日" and warnings.
- ``{% orglife_summary_card %}`` on the leads' dashboard: branches by light in the viewer's scope.

Each card is a fixed number of queries whatever the size of the tree. The summary checks every branch of
the scope against the rules (0.6 s for a thousand branches), and the branch card is on the secretaries'
home, the page requested most; both are kept in the cache until anything they count changes
(``common.generations``), keyed on the viewer's grants, the branch or drill-down, and today.
"""

from django import template

from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.organizations.models import Organization
from partyreview.organizations.scope_keys import grants_signature
from partyreview.orglife import permissions as perms
from partyreview.orglife.selectors import (
    GENERATION,
    BranchCompliance,
    ComplianceSummary,
    compliance,
    compliance_summary,
)

register = template.Library()


@register.inclusion_tag("orglife/_compliance_branch.html", takes_context=True)
def orglife_branch_card(context: template.Context, branch: Organization) -> dict:
    user = context["request"].user
    today = local_today()

    def build() -> list[BranchCompliance]:
        return compliance(perms.branches_visible_to(user).filter(pk=branch.pk), today)

    key = generations.entry_key(GENERATION, ["branch", grants_signature(user), branch.pk, today])
    rows = generations.remembered(key, build)
    return {"compliance": rows[0] if rows else None, "can_keep": perms.can_keep_records(user, branch)}


@register.inclusion_tag("orglife/_compliance_summary.html", takes_context=True)
def orglife_summary_card(context: template.Context, within: Organization | None = None) -> dict:
    """``within``: the organisation the dashboard is drilled down to; its subtree only."""
    user = context["request"].user
    today = local_today()

    def build() -> ComplianceSummary:
        branches, breaches = perms.branches_visible_to(user), perms.breaches_visible_to(user)
        if within is not None:
            branches = branches.filter(path__startswith=within.path)
            breaches = breaches.filter(organization__path__startswith=within.path)
        return compliance_summary(branches, today, breaches)

    key = generations.entry_key(GENERATION, ["summary", grants_signature(user), within.pk if within else "", today])
    return {"summary": generations.remembered(key, build)}
