"""The import pages: upload, preview (with the choices only a person can make), confirm, progress.

Thin: fetch through the scope, bind a form, call one service, redirect.
"""

import io
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from partyreview.accounts.models import Role, User
from partyreview.common import params
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category
from partyreview.intake import importers, services
from partyreview.intake.fields import Field
from partyreview.intake.forms import ImportUploadForm
from partyreview.intake.models import ImportBatch
from partyreview.intake.permissions import STAFF, import_batches_visible_to, inspections_importable_by
from partyreview.intake.plan import Plan
from partyreview.organizations.models import Organization
from partyreview.organizations.permissions import is_admin, organizations_visible_to, roles_of
from partyreview.rectifications.selectors import measure_suggestions

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A finding in the preview: r<row> for a ledger, r<paragraph>-<sequence> for a feedback document.
FINDING_KEY = re.compile(r"r\d{1,7}(-\d{1,9})?")
PREVIEW_ROWS_SHOWN = 300
# The drop-down's value for "this column holds nothing to import".
IGNORE = "ignore"


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
        inspection_id = params.read_id(request.GET, "inspection")
        if inspection_id is None:
            raise Http404
        initial["inspection"] = get_object_or_404(inspections, pk=inspection_id)
    form = ImportUploadForm(request.POST or None, request.FILES or None, inspections=inspections, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload, name = form.upload()
        try:
            batch = services.import_batch_create(
                actor=request.user, inspection=form.cleaned_data["inspection"], upload=upload, name=name
            )
        except ActionRefused as refused:
            form.add_error("text" if form.cleaned_data.get("text") else "file", refused.message)
        else:
            return redirect("intake:preview", pk=batch.pk)
    recent = import_batches_visible_to(request.user).filter(uploaded_by=request.user).select_related("inspection")[:10]
    return render(request, "intake/import_start.html", {"form": form, "recent": recent, "initial": initial})


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    """The import template, with drop-downs of the categories and of the organisations the user manages."""
    _require_staff(request.user)
    organizations = organizations_visible_to(request.user, roles=STAFF).filter(is_active=True)
    inspection_id = params.read_id(request.GET, "inspection")
    if inspection_id is not None:
        inspection = get_object_or_404(inspections_importable_by(request.user), pk=inspection_id)
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
            done, total = progress["done"], progress["total"]
            context["progress"] = {
                "done": done,
                "total": total,
                "percent": round(100 * done / total),
                # "3,200 / 5,000": thousands grouped as the figures on the dashboards are.
                "text": f"{done:,} / {total:,}",
            }
    elif not batch.is_imported:
        try:
            plan, read = services.import_batch_preview(actor=request.user, batch=batch)
        except ActionRefused as refused:
            context["refused"] = refused.message
        else:
            if read is not None:  # a ledger: its columns, for the mapping step
                context.update(
                    table=read.table,
                    remembered=read.remembered,
                    field_choices=Field.choices,
                    mapped_columns=[c for c in read.table.columns if c.field is not None],
                )
            context.update(
                plan=plan,
                findings_shown=plan.findings[:PREVIEW_ROWS_SHOWN],
                findings_hidden=max(len(plan.findings) - PREVIEW_ROWS_SHOWN, 0),
                categories=Category.objects.filter(is_active=True).order_by("sort_order", "id"),
                kept_whole=set((batch.choices or {}).get("keep_whole", [])),
            )
            if batch.is_document:
                context.update(_document_context(request.user, batch, plan))
        context["form"] = ImportUploadForm(
            inspections=inspections_importable_by(request.user), initial={"inspection": batch.inspection}
        )
    return render(request, "intake/import_preview.html", context)


def _organizations_for(user: User, batch: ImportBatch) -> QuerySet[Organization]:
    """The organisations a document's problems may be put under: the user's, within the inspection."""
    return organizations_visible_to(user, roles=STAFF).filter(
        path__startswith=batch.inspection.inspecting_org.path, is_active=True
    )


@login_required
@require_POST
def import_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a choice made in the preview: a finding's measures kept as one (or split again), a category."""
    batch = get_object_or_404(import_batches_visible_to(request.user), pk=pk)
    key = params.read_text(request.POST, "finding", max_length=40)
    if not FINDING_KEY.fullmatch(key) and "organization_all" not in request.POST:
        messages.error(request, "请选择要修改的问题。")
        return redirect("intake:preview", pk=batch.pk)
    choices = batch.choices or {}
    try:
        if "organization_all" in request.POST or "organization" in request.POST:
            code = params.read_text(request.POST, "organization_all") or params.read_text(request.POST, "organization")
            if not _organizations_for(request.user, batch).filter(code=code).exists():
                raise ActionRefused("请选择本次检查范围内、您管理的党组织。")
            if "organization_all" in request.POST:
                services.import_batch_choose(actor=request.user, batch=batch, choices={"organization": code})
            else:
                chosen = {**choices.get("organizations", {}), key: code}
                services.import_batch_choose(actor=request.user, batch=batch, choices={"organizations": chosen})
        elif "merge" in request.POST or "split" in request.POST:
            kind = "merge" if "merge" in request.POST else "split"
            toggled = set(choices.get(kind, []))
            toggled.symmetric_difference_update({key})
            services.import_batch_choose(actor=request.user, batch=batch, choices={kind: sorted(toggled)})
        elif "measures" in request.POST:
            texts = params.read_texts(request.POST, "measure")[:20]
            extra = params.read_text(request.POST, "measure_other")
            if extra:
                texts.append(extra)
            if not texts:
                raise ActionRefused("请至少选择或填写一项整改措施。")
            chosen = {**choices.get("measures", {}), key: texts}
            services.import_batch_choose(actor=request.user, batch=batch, choices={"measures": chosen})
        elif "keep_whole" in request.POST:
            kept = set(choices.get("keep_whole", []))
            kept.symmetric_difference_update({key})
            services.import_batch_choose(actor=request.user, batch=batch, choices={"keep_whole": sorted(kept)})
        elif "category" in request.POST:
            code = params.read_text(request.POST, "category", max_length=40)
            if not Category.objects.filter(code=code, is_active=True).exists():
                raise ActionRefused("请选择有效的问题类别。")
            categories = {**choices.get("categories", {}), key: code}
            services.import_batch_choose(actor=request.user, batch=batch, choices={"categories": categories})
    except ActionRefused as refused:
        messages.error(request, refused.message)
    return redirect(f"{reverse('intake:preview', args=[batch.pk])}#{key}")


@login_required
@require_POST
def import_map(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping step: which field each column holds (or ignore it), and which sheet is the ledger."""
    batch = get_object_or_404(import_batches_visible_to(request.user), pk=pk)
    columns: dict[int, str | None] = {}
    for name, value in request.POST.items():
        if name.startswith("column-") and name[7:].isascii() and name[7:].isdigit():
            if value and value not in Field.values and value != IGNORE:
                messages.error(request, "请为每一列选择有效的内容。")
                return redirect("intake:preview", pk=batch.pk)
            if value:
                columns[int(name[7:])] = None if value == IGNORE else value
    try:
        services.import_batch_map_columns(
            actor=request.user,
            batch=batch,
            columns=columns,
            sheet=params.read_text(request.POST, "sheet", max_length=100),
            signature=params.read_text(request.POST, "signature", max_length=64),
        )
    except ActionRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已按您的选择重新识别；同样表头的台账下次会自动采用这一对应。")
    return redirect("intake:preview", pk=batch.pk)


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


def _document_context(user: User, batch: ImportBatch, plan: Plan) -> dict:
    """What a feedback document's preview adds: the organisations to choose from, the parts left out, and
    per finding the measure library's suggestions for its category, the chosen ones ticked."""
    choices = batch.choices or {}
    library = measure_suggestions(user)
    for finding in plan.findings:
        chosen = {m.measure for m in finding.measures}
        offered = library.get(finding.category.pk, [])
        finding.suggested_measures = [(s, s.text in chosen) for s in offered]
        finding.own_measures = [text for text in chosen if text not in {s.text for s in offered}]
    return {
        "organizations": _organizations_for(user, batch).order_by("path"),
        "organization_all": choices.get("organization", ""),
        "merged": set(choices.get("merge", [])),
        "split": set(choices.get("split", [])),
    }
