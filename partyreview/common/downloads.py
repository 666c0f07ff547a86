"""Serving a stored upload safely: the one way every evidence download answers."""

from collections.abc import Container

from django.http import FileResponse, Http404

from partyreview.common.models import StoredUpload


def upload_response(upload: StoredUpload, *, allowed_types: Container[str]) -> FileResponse:
    """Stream an upload the caller already fetched through the user's scope.

    The type is the one sniffed at upload; anything outside ``allowed_types`` goes out as opaque bytes, never
    as something a browser would render. Only images and PDF are shown inline; nothing is cached.
    """
    content_type = upload.content_type if upload.content_type in allowed_types else "application/octet-stream"
    try:
        stream = upload.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("文件不存在。") from missing
    response = FileResponse(
        stream, as_attachment=not upload.is_inline_safe, filename=upload.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
