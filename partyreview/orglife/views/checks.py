"""The checks: compliance (branches × rules), a branch's own page, suggestions to confirm or dismiss, terms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partyreview.accounts.models import Role
from partyreview.common import params
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Inspection, Severity
from partyreview.organizations.permissions import organizations_visible_to
from partyreview.organizations.selectors import ancestors, assignable_users, leaders_for
from partyreview.orglife import permissions as perms
from partyreview.orglife import services
from partyreview.orglife.forms import BreachConfirmForm, BreachDismissForm, TermElectionForm, TermExtensionForm
from partyreview.orglife.models import Breach, BreachStatus
from partyreview.orglife.rules import RULES, RuleCode
from partyreview.orglife.selectors import (
    COLUMNS,
    RuleBook,
    breaches_for_list,
    compliance,
    meetings_for_list,
    term_overview,
)

LIGHT_FILTERS = {"red": 3, "yellow": 2}


@login_required
def compliance_view(request: HttpRequest) -> HttpResponse:
    """Branches × rules for the current period, worst first; a secretary sees their own branch."""
    branches = perms.branches_visible_to(request.user)
    parent = params.read_id(request.GET, "parent")
    scope_parents = organizations_visible_to(request.user).exclude(kind="branch").order_by("path")
    if parent is not None:
        chosen = scope_parents.filter(pk=parent).first()
        if chosen is not None:
            branches = branches.filter(path__startswith=chosen.path)
    rows = compliance(branches, local_today())
    wanted = LIGHT_FILTERS.get(request.GET.get("light", ""))
    if wanted:
        rows = [row for row in rows if row.light >= wanted]
    rows.sort(key=lambda row: (-row.light, row.organization.path))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    # A secretary sees one branch: its card says first what it still needs this period.
    single = rows[0] if len(rows) == 1 else None
    context = {
        "compliance": single,
        "can_keep": single is not None and perms.can_keep_records(request.user, single.organization),
        "page": page,
        "columns": COLUMNS,
        "scope_parents": scope_parents,
        "selected_parent": str(parent or ""),
        "selected_light": request.GET.get("light", ""),
        "today": local_today(),
    }
    return render(request, "orglife/compliance.html", context)


@login_required
def branch_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    """One branch: what it still needs this period, its warnings, and its latest meetings."""
    branch = get_object_or_404(perms.branches_visible_to(request.user), pk=org_pk)
    row = compliance(perms.branches_visible_to(request.user).filter(pk=branch.pk), local_today())[0]
    meetings = meetings_for_list(perms.meetings_visible_to(request.user).filter(organization=branch))[:10]
    context = {
        "branch": branch,
        "compliance": row,
        "columns": COLUMNS,
        "meetings": meetings,
        "can_keep": perms.can_keep_records(request.user, branch),
    }
    return render(request, "orglife/branch_detail.html", context)


@login_required
def breach_list(request: HttpRequest) -> HttpResponse:
    qs = breaches_for_list(perms.breaches_visible_to(request.user))
    status = request.GET.get("status", BreachStatus.SUGGESTED)
    if status in BreachStatus.values:
        qs = qs.filter(status=status)
    rule = request.GET.get("rule", "")
    if rule in RuleCode.values:
        qs = qs.filter(rule=rule)
    page = Paginator(qs.order_by("-light", "-detected_at", "organization__path"), 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": BreachStatus.choices,
        "rules": RuleCode.choices,
        "selected_status": status,
        "selected_rule": rule,
    }
    return render(request, "orglife/breach_list.html", context)


def _confirm_form(request: HttpRequest, breach: Breach, data: QueryDict | None = None) -> BreachConfirmForm:
    org = breach.organization
    ancestor_ids = list(ancestors(org).values_list("pk", flat=True))
    inspections = (
        Inspection.objects.filter(inspecting_org_id__in=ancestor_ids, is_archived=False)
        .filter(inspecting_org__in=organizations_visible_to(request.user, roles={Role.STAFF}))
        .order_by("-start_date")
    )
    rule = RULES[breach.rule]
    initial = {
        "description": breach.description,
        "measure": rule.measure.format(label=rule.label),
        "severity": Severity.MINOR,
        "due_date": services.default_due_date(breach),
    }
    return BreachConfirmForm(
        data,
        initial=initial,
        assignees=assignable_users(org),
        leaders=leaders_for(org),
        inspections=inspections,
    )


@login_required
def breach_detail(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(breaches_for_list(perms.breaches_visible_to(request.user)), pk=pk)
    can_decide = breach.is_open and perms.can_decide_breach(request.user, breach)
    context = {
        "breach": breach,
        "can_decide": can_decide,
        "confirm_form": _confirm_form(request, breach) if can_decide else None,
        "dismiss_form": BreachDismissForm() if can_decide else None,
    }
    return render(request, "orglife/breach_detail.html", context)


@require_POST
@login_required
def breach_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(breaches_for_list(perms.breaches_visible_to(request.user)), pk=pk)
    form = _confirm_form(request, breach, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            confirmed = services.breach_confirm(
                actor=request.user,
                breach=breach,
                description=data["description"],
                severity=data["severity"],
                measure=data["measure"],
                assignee=data["assignee"],
                responsible_leader=data["responsible_leader"],
                due_date=data["due_date"],
                inspection=data["inspection"],
            )
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request, f"已确认为问题，归入“{confirmed.finding.inspection.title}”第{confirmed.finding.sequence}项。"
            )
            return redirect("orglife:breach_detail", pk=breach.pk)
    context = {
        "breach": breach,
        "can_decide": True,
        "confirm_form": form,
        "dismiss_form": BreachDismissForm(),
    }
    return render(request, "orglife/breach_detail.html", context, status=200)


@require_POST
@login_required
def breach_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    breach = get_object_or_404(perms.breaches_visible_to(request.user), pk=pk)
    form = BreachDismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写驳回理由。")
        return redirect("orglife:breach_detail", pk=breach.pk)
    try:
        services.breach_dismiss(actor=request.user, breach=breach, reason=form.cleaned_data["reason"])
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已驳回，该期间不再提示。")
    return redirect("orglife:breach_detail", pk=breach.pk)


@login_required
def term_list(request: HttpRequest) -> HttpResponse:
    orgs = organizations_visible_to(request.user).filter(is_active=True)
    rows = term_overview(orgs, local_today())
    rows.sort(key=lambda row: (-(row.light or 0), row.organization.path))
    # Elections and extensions are recorded by staff: the page offers them only where the viewer is staff.
    staff_orgs = set(organizations_visible_to(request.user, roles={Role.STAFF}).values_list("pk", flat=True))
    context = {"rows": rows, "staff_orgs": staff_orgs}
    return render(request, "orglife/term_list.html", context)


@login_required
def term_extension_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(organizations_visible_to(request.user, roles={Role.STAFF}), pk=org_pk)
    form = TermExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_extension_record(actor=request.user, organization=org, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已登记“{org}”的延期换届。")
            return redirect("orglife:term_list")
    cfg = RuleBook.load().config(org.kind, RuleCode.TERM_ENDING)
    context = {"form": form, "org": org, "title": "登记延期换届", "term_years": cfg.term_years}
    return render(request, "orglife/term_form.html", context)


@login_required
def term_election(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_object_or_404(organizations_visible_to(request.user, roles={Role.STAFF}), pk=org_pk)
    cfg = RuleBook.load().config(org.kind, RuleCode.TERM_ENDING)
    form = TermElectionForm(request.POST or None, initial={"term_years": cfg.term_years})
    if request.method == "POST" and form.is_valid():
        try:
            services.term_record_election(actor=request.user, organization=org, **form.cleaned_data)
        except ActionRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"已登记“{org}”换届。")
            return redirect("orglife:term_list")
    context = {"form": form, "org": org, "title": "登记换届", "term_years": cfg.term_years}
    return render(request, "orglife/term_form.html", context)
