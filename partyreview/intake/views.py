"""The import pages: upload, preview (with the choices only a person can make), confirm, progress.

Thin: fetch through the scope, bind a form, call one service, redirect.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partyreview.accounts.models import Role, User
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category
from partyreview.intake import importers, services
from partyreview.intake.forms import ImportUploadForm
from partyreview.intake.permissions import STAFF, import_batches_visible_to, inspections_importable_by
from partyreview.organizations.permissions import is_admin, organizations_visible_to, roles_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS_SHOWN = 300


def _require_staff(user: User) -> None:
    # Pages only staff use answer 404 to everyone else, like an object outside one's scope.
    if Role.STAFF not in roles_of(user) and not is_admin(user):
        raise Http404


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the inspection and upload the ledger as it is (or fill in the template)."""
    _require_staff(request.user)
    inspections = inspections_importable_by(request.user)
    initial = {}
    if request.GET.get("inspection"):
        if not request.GET["inspection"].isdigit():
            raise Http404
        initial["inspection"] = get_object_or_404(inspections, pk=request.GET["inspection"])
    form = ImportUploadForm(request.POST or None, request.FILES or None, inspections=inspections, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_batch_create(
                actor=request.user, inspection=form.cleaned_data["inspection"], upload=upload, name=upload.name
            )
        except ActionRefused as refused:
            form.add_error("file", refused.message)
        else:
            return redirect("intake:preview", pk=batch.pk)
    recent = import_batches_visible_to(request.user).filter(uploaded_by=request.user).select_related("inspection")[:10]
    return render(request, "intake/import_start.html", {"form": form, "recent": recent, "initial": initial})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The import template, with drop-downs of the categories and of the organisations the user manages."""
    _require_staff(request.user)
    organizations = organizations_visible_to(request.user, roles=STAFF).filter(is_active=True)
    if request.GET.get("inspection", "").isdigit():
        inspection = get_object_or_404(inspections_importable_by(request.user), pk=request.GET["inspection"])
        organizations = organizations.filter(path__startswith=inspection.inspecting_org.path)
    data = importers.build_template(
        categories=list(Category.objects.filter(is_active=True)), organizations=list(organizations.order_by("path"))
    )
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="问题清单导入模板.xlsx", content_type=XLSX)


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: what the file would create, each cell's reading beside its text, every error and warning;
    while the worker imports, its progress; once imported, what it created."""
    batch = get_object_or_404(
        import_batches_visible_to(request.user).select_related("inspection__inspecting_org", "uploaded_by"), pk=pk
    )
    context: dict = {"batch": batch, "inspection": batch.inspection}
    if batch.is_importing:
        progress = services.import_batch_progress(batch)
        if progress and progress["total"]:
            context["progress"] = {**progress, "percent": round(100 * progress["done"] / progress["total"])}
    elif not batch.is_imported:
        try:
            plan = services.import_batch_plan(actor=request.user, batch=batch)
        except ActionRefused as refused:
            context["refused"] = refused.message
        else:
            context.update(
                plan=plan,
                findings_shown=plan.findings[:PREVIEW_ROWS_SHOWN],
                findings_hidden=max(len(plan.findings) - PREVIEW_ROWS_SHOWN, 0),
                categories=Category.objects.filter(is_active=True).order_by("sort_order", "id"),
                kept_whole=set((batch.choices or {}).get("keep_whole", [])),
            )
        context["form"] = ImportUploadForm(
            inspections=inspections_importable_by(request.user), initial={"inspection": batch.inspection}
        )
    return render(request, "intake/import_preview.html", context)


@login_required
@require_POST
def import_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a choice made in the preview: a finding's measures kept as one (or split again), a category."""
    batch = get_object_or_404(import_batches_visible_to(request.user), pk=pk)
    key = request.POST.get("finding", "")
    if not key.startswith("r") or not key[1:].isdigit():
        messages.error(request, "请选择要修改的问题。")
        return redirect("intake:preview", pk=batch.pk)
    choices = batch.choices or {}
    try:
        if "keep_whole" in request.POST:
            kept = set(choices.get("keep_whole", []))
            kept.symmetric_difference_update({key})
            services.import_batch_choose(actor=request.user, batch=batch, choices={"keep_whole": sorted(kept)})
        elif "category" in request.POST:
            code = request.POST["category"]
            if not Category.objects.filter(code=code, is_active=True).exists():
                raise ActionRefused("请选择有效的问题类别。")
            categories = {**choices.get("categories", {}), key: code}
            services.import_batch_choose(actor=request.user, batch=batch, choices={"categories": categories})
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(f"{reverse('intake:preview', args=[batch.pk])}#{key}")


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: import exactly the previewed file, all or nothing, in the worker; the preview page shows
    the progress and then the result."""
    batch = get_object_or_404(import_batches_visible_to(request.user), pk=pk)
    try:
        services.import_batch_queue(actor=request.user, batch=batch)
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect("intake:preview", pk=batch.pk)
