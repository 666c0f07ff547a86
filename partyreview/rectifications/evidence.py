"""Checks for uploaded evidence (佐证材料): type sniffed from the content, size, safe names."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from partyreview.common.errors import ActionRefused

# MIME type as sniffed from content → extensions a file of that type may carry.
ALLOWED_TYPES: dict[str, set[str]] = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    # Old Office files share one container (OLE2); the sniffer may name either, so the suffix decides.
    "application/msword": {".doc", ".xls"},
    "application/vnd.ms-excel": {".doc", ".xls"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
}
ALLOWED_LABEL = "PDF、JPG、PNG、Word（doc/docx）、Excel（xls/xlsx）"


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    original_name: str
    content_type: str
    size: int
    sha256: str


def safe_display_name(name: str) -> str:
    """Keep only the last path component, strip control characters, cap the length."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return (cleaned or "未命名文件")[:200]


def size_label(size: int) -> str:
    """20 MB, 512 KB, 300 字节: the limit as people read it (a limit below 1 MB is set in tests and pilots)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} 字节"


def check_upload(upload: UploadedFile) -> CheckedFile:
    name = safe_display_name(upload.name or "")
    max_bytes = settings.EVIDENCE_MAX_BYTES
    if upload.size > max_bytes:
        raise ActionRefused(
            f"文件“{name}”大小为 {size_label(upload.size)}，超过 {size_label(max_bytes)} 的限制，请压缩或拆分后再上传。"
        )
    if upload.size == 0:
        raise ActionRefused(f"文件“{name}”是空文件。")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    suffix = PurePath(name).suffix.lower()
    if mime not in ALLOWED_TYPES or suffix not in ALLOWED_TYPES[mime]:
        raise ActionRefused(f"文件“{name}”的类型不被允许或与扩展名不符。只能上传 {ALLOWED_LABEL} 文件。")
    if mime in {"application/msword", "application/vnd.ms-excel"}:
        mime = "application/msword" if suffix == ".doc" else "application/vnd.ms-excel"
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        upload=upload, original_name=name, content_type=mime, size=upload.size, sha256=digest.hexdigest()
    )
