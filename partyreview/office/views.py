"""Import, export and report pages. Thin: fetch through the scope, check, call the service or selector."""

import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partyreview.accounts.models import Role, User
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category
from partyreview.inspections.permissions import inspections_visible_to
from partyreview.office import importers, services
from partyreview.office.exporters import write_register
from partyreview.office.forms import ImportUploadForm
from partyreview.office.models import ExportStatus
from partyreview.office.permissions import (
    STAFF,
    can_read_inspection_report,
    exports_of,
    import_batches_visible_to,
    inspections_importable_by,
)
from partyreview.office.reports import build_inspection_report
from partyreview.office.selectors import inspection_report_data, register_values
from partyreview.organizations.permissions import is_admin, organizations_visible_to, roles_of
from partyreview.rectifications.filters import RectificationFilter
from partyreview.rectifications.permissions import rectifications_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PREVIEW_ROWS_SHOWN = 300


def _require_staff(user: User) -> None:
    # Pages only staff use answer 404 to everyone else, like an object outside one's scope.
    if Role.STAFF not in roles_of(user) and not is_admin(user):
        raise Http404


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Step 1: download the template, choose the inspection and upload the filled file."""
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
            return redirect("office:import_preview", pk=batch.pk)
    recent = import_batches_visible_to(request.user).filter(uploaded_by=request.user).select_related("inspection")[:10]
    return render(request, "office/import_start.html", {"form": form, "recent": recent, "initial": initial})


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
    """Step 2: what the file would create, and every bad row; or, once imported, what it created."""
    batch = get_object_or_404(
        import_batches_visible_to(request.user).select_related("inspection__inspecting_org", "uploaded_by"), pk=pk
    )
    context: dict = {"batch": batch, "inspection": batch.inspection}
    if not batch.is_imported and not batch.is_importing:
        try:
            plan = services.import_batch_plan(actor=request.user, batch=batch)
        except ActionRefused as refused:
            context["refused"] = refused.message
        else:
            context.update(
                plan=plan,
                findings_shown=plan.findings[:PREVIEW_ROWS_SHOWN],
                findings_hidden=max(len(plan.findings) - PREVIEW_ROWS_SHOWN, 0),
            )
        context["form"] = ImportUploadForm(
            inspections=inspections_importable_by(request.user), initial={"inspection": batch.inspection}
        )
    return render(request, "office/import_preview.html", context)


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
    return redirect("office:import_preview", pk=batch.pk)


@login_required
def register_export(request: HttpRequest) -> HttpResponse:
    """The 整改台账 as .xlsx, filtered exactly like the register list (same query string).

    Up to ``OFFICE_EXPORT_ASYNC_ROWS`` rows the file is written in this request (a few seconds); a larger
    one goes to the worker, and the user is taken to its page in 我的导出."""
    filterset = RectificationFilter(request.GET, queryset=rectifications_visible_to(request.user), request=request)
    total = filterset.qs.count()
    if services.register_export_in_background(total):
        try:
            export = services.register_export_request(
                actor=request.user, query=request.GET.urlencode(), rows_total=total
            )
        except ActionRefused as refused:
            messages.error(request, refused.message)
            return redirect("office:export_list")
        messages.info(request, f"共 {total:,} 行，正在后台生成，完成后会通知您，也可在“我的导出”中查看。")
        return redirect("office:export_detail", pk=export.pk)
    rows = register_values(filterset.qs)
    # An anonymous temporary file: written row by row, streamed back, and gone when the response closes
    # it (FileResponse owns it from here, so no context manager).
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write_register(rows, target)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=f"整改台账-{local_today():%Y%m%d}.xlsx", content_type=XLSX)


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's own background exports, newest first."""
    exports = list(exports_of(request.user)[:50])
    context = {
        "exports": exports,
        "any_pending": any(export.is_pending for export in exports),
        "threshold": f"{settings.OFFICE_EXPORT_ASYNC_ROWS:,}",
        "keep_hours": settings.OFFICE_EXPORT_KEEP_HOURS,
    }
    return render(request, "office/export_list.html", context)


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export: its progress while the worker writes it (the page reloads itself), then its download."""
    export = get_object_or_404(exports_of(request.user), pk=pk)
    return render(request, "office/export_detail.html", {"export": export})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    """The file of a finished export, for its owner only; anyone else, and an expired file, get 404."""
    export = get_object_or_404(exports_of(request.user).filter(status=ExportStatus.DONE), pk=pk)
    if not export.file:
        raise Http404
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename, content_type=XLSX)


@login_required
def inspection_report(request: HttpRequest, pk: int) -> FileResponse:
    """The 整改情况报告 of one inspection as .docx, for staff and leads of the inspecting organisation."""
    inspection = get_object_or_404(inspections_visible_to(request.user).select_related("inspecting_org"), pk=pk)
    if not can_read_inspection_report(request.user, inspection):
        raise Http404
    data = inspection_report_data(inspection=inspection, rectifications=rectifications_visible_to(request.user))
    document = build_inspection_report(data)
    filename = f"{inspection.title}整改落实情况报告.docx".replace("/", "-")
    return FileResponse(io.BytesIO(document), as_attachment=True, filename=filename, content_type=DOCX)
