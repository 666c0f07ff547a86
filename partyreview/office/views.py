"""Export and report pages. Thin: fetch through the scope, check, call the selector and the writer.

The import pages moved to ``intake``; the old addresses redirect there (``office/urls.py``)."""

import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.permissions import can_read_inspection_report, inspections_visible_to
from partyreview.office import services
from partyreview.office.exporters import write_register
from partyreview.office.models import ExportStatus
from partyreview.office.permissions import exports_of
from partyreview.office.reports import build_inspection_report
from partyreview.office.selectors import inspection_report_data, register_scope, register_values
from partyreview.rectifications.filters import RectificationFilter
from partyreview.rectifications.permissions import rectifications_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# Paper is no place for the whole committee's register: past this many rows the page says so and points to
# the .xlsx export, which has no limit.
PRINT_ROWS = 500


@login_required
def register_print(request: HttpRequest) -> HttpResponse:
    """整改台账 for printing: the register's columns for the list's filters, with a title, the print date
    and the scope, laid out by static/css/register_print.css (landscape, bordered, header on every page)."""
    filterset = RectificationFilter(request.GET, queryset=rectifications_visible_to(request.user), request=request)
    rows = list(register_values(filterset.qs[: PRINT_ROWS + 1]))
    inspection = filterset.form.cleaned_data.get("inspection") if filterset.form.is_valid() else None
    context = {
        "rows": rows[:PRINT_ROWS],
        "truncated": len(rows) > PRINT_ROWS,
        "limit": PRINT_ROWS,
        "title": f"{inspection}整改台账" if inspection else "整改台账",
        "scope": register_scope(request.user, filterset.form),
        "printed_at": timezone.localtime(),
        "a3": request.GET.get("paper") == "a3",
        "querystring": request.GET.urlencode(),
    }
    return render(request, "office/register_print.html", context)


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
