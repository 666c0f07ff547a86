"""Export and report pages. Thin: fetch through the scope, check, call the selector and the writer.

The import pages moved to ``intake``; the old addresses redirect there (``office/urls.py``)."""

import io
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from partyreview.common.dates import local_today
from partyreview.inspections.permissions import inspections_visible_to
from partyreview.office.exporters import write_register
from partyreview.office.permissions import can_read_inspection_report
from partyreview.office.reports import build_inspection_report
from partyreview.office.selectors import inspection_report_data, register_rows
from partyreview.rectifications.filters import RectificationFilter
from partyreview.rectifications.permissions import rectifications_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Rows fetched per round trip while streaming the register; memory holds one chunk at a time.
EXPORT_CHUNK = 2000


@login_required
def register_export(request: HttpRequest) -> FileResponse:
    """The 整改台账 as .xlsx, filtered exactly like the register list (same query string)."""
    filterset = RectificationFilter(request.GET, queryset=rectifications_visible_to(request.user), request=request)
    rows = register_rows(filterset.qs).iterator(chunk_size=EXPORT_CHUNK)
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
def inspection_report(request: HttpRequest, pk: int) -> FileResponse:
    """The 整改情况报告 of one inspection as .docx, for staff and leads of the inspecting organisation."""
    inspection = get_object_or_404(inspections_visible_to(request.user).select_related("inspecting_org"), pk=pk)
    if not can_read_inspection_report(request.user, inspection):
        raise Http404
    data = inspection_report_data(inspection=inspection, rectifications=rectifications_visible_to(request.user))
    document = build_inspection_report(data)
    filename = f"{inspection.title}整改落实情况报告.docx".replace("/", "-")
    return FileResponse(io.BytesIO(document), as_attachment=True, filename=filename, content_type=DOCX)
