"""反馈意见读取：a feedback document (.docx, .txt) or pasted text as paragraphs and tables, safely.

Inspection teams hand over Word documents and letters; staff also paste text from them. This module
opens each kind, judged from the bytes and never from the name, and refuses what it cannot read with a
Chinese reason (``FeedbackRefused``), nothing stored: a file over ``OFFICE_IMPORT_MAX_BYTES``; a .docx that
is no zip, has no document part, carries macros, or declares more than
``OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES`` unpacked or too many entries (zip bombs: Python's zipfile never
inflates an entry past its declared size, so the declared sizes bound the work); an old .doc or an
encrypted file; text that is no text (NUL bytes, control characters) or in no encoding we know (UTF-8
with or without BOM, UTF-16 with BOM, GB18030, which covers GBK and GB2312); more than
``MAX_CHARACTERS`` characters. python-docx parses with entity resolution off.

A .docx's paragraphs and tables come in document order; tables are kept as grids of cell text, for the
ledger path to read like a spreadsheet. Numbers drawn by Word's list button ("1.", "（一）") are put before
their paragraph's text (``word_numbering.py``), as the reader sees them.
"""

import codecs
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from partyreview.common.errors import ActionRefused
from partyreview.intake.feedback import DocumentTable, FeedbackSegments, Paragraph, paragraphs_of, segment, tidy
from partyreview.intake.word_numbering import WordNumbering

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_ZIP_ENTRIES = 2000
# A feedback document runs to a few thousand characters; a hundred times that is no feedback.
MAX_CHARACTERS = 500_000
MAX_PARAGRAPHS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FeedbackRefused(ActionRefused):
    """The whole document is refused (too large, not a document, unreadable). Nothing is imported."""


@dataclass
class Document:
    """What a feedback source holds, in reading order: paragraphs (numbered from 1) and tables."""

    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[DocumentTable] = field(default_factory=list)
    kind: str = "text"  # "docx", "text" (a .txt file) or "pasted"

    def blocks(self) -> "list[Paragraph | DocumentTable]":
        return sorted([*self.paragraphs, *self.tables], key=lambda block: block.number)

    def segments(self) -> FeedbackSegments:
        return segment(self.blocks())


def read_feedback_file(data: bytes) -> Document:
    """A .docx or .txt feedback document, recognised by its bytes."""
    if len(data) > settings.OFFICE_IMPORT_MAX_BYTES:
        limit = _mb(settings.OFFICE_IMPORT_MAX_BYTES)
        raise FeedbackRefused(f"文件过大（{_mb(len(data))}），导入文件不能超过 {limit}。")
    if not data.strip():
        raise FeedbackRefused("文件是空的，请选择反馈意见的 Word（.docx）或文本（.txt）文件。")
    if data.startswith(OLE_MAGIC):
        raise FeedbackRefused("这是旧版 Word（.doc）文件或加密文件，请在 Word 中另存为不设密码的 .docx 文件后再导入。")
    if data.startswith(b"PK"):
        return read_docx(data)
    document = Document(paragraphs=paragraphs_of(_check_text(decode_text(data))), kind="text")
    _check_size(document)
    return document


def read_pasted(text: str) -> Document:
    """Text pasted into the browser."""
    document = Document(paragraphs=paragraphs_of(_check_text(text)), kind="pasted")
    _check_size(document)
    return document


def decode_text(data: bytes) -> str:
    """The text of a .txt file: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (GBK)."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise FeedbackRefused("文件的编码有误，无法读取。请另存为 UTF-8 编码的文本文件后再导入。") from None
    if b"\x00" in data:
        raise FeedbackRefused("文件不是文本文件，也不是 Word（.docx）文档，无法读取。")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FeedbackRefused("无法识别文件的编码。请另存为 UTF-8 或 GBK 编码的文本文件后再导入。")


def _check_text(text: str) -> str:
    if len(text) > MAX_CHARACTERS:
        raise FeedbackRefused(f"文本过长（{len(text):,} 字），一次最多导入 {MAX_CHARACTERS:,} 字。请分批导入。")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 200):
        raise FeedbackRefused("文件不是文本文件，也不是 Word（.docx）文档，无法读取。")
    return _CONTROL.sub("", text)


def _check_size(document: Document) -> None:
    if len(document.paragraphs) > MAX_PARAGRAPHS:
        raise FeedbackRefused(f"文档段落过多（{len(document.paragraphs):,} 段），一次最多导入 {MAX_PARAGRAPHS:,} 段。")


def read_docx(data: bytes) -> Document:
    """A .docx's paragraphs and tables in document order, after the container checks."""
    _check_docx_container(data)
    import docx
    from docx.table import Table

    try:
        word = docx.Document(io.BytesIO(data))
        numbering = WordNumbering(word)
        document = Document(kind="docx")
        number = 0
        characters = 0
        for block in word.iter_inner_content():
            if isinstance(block, Table):
                rows = [[tidy(cell.text) for cell in row.cells] for row in block.rows]
                if any(any(cells) for cells in rows):
                    number += 1
                    document.tables.append(DocumentTable(number, rows))
                    characters += sum(len(c) for cells in rows for c in cells)
                continue
            # A number of Word's list button is no character of the text: put it where the reader sees it.
            label = numbering.label(block)
            for index, line in enumerate(block.text.split("\n")):
                text = tidy(f"{label}{line}" if index == 0 and label and line.strip() else line)
                if text:
                    number += 1
                    characters += len(text)
                    document.paragraphs.append(Paragraph(number, text))
            if characters > MAX_CHARACTERS or number > MAX_PARAGRAPHS:
                raise FeedbackRefused(f"文档过长，一次最多导入 {MAX_CHARACTERS:,} 字。请分批导入。")
    except FeedbackRefused:
        raise
    except Exception:  # python-docx and lxml raise many kinds on a damaged part; all mean the same to a user
        raise FeedbackRefused("Word 文档已损坏或格式不受支持，请在 Word 中另存为 .docx 文件后再导入。") from None
    return document


def _check_docx_container(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise FeedbackRefused("文件不是有效的 Word 文档（.docx），也不是文本文件，无法读取。") from None
    with archive:
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        if "xl/workbook.xml" in names:
            raise FeedbackRefused("这是 Excel 工作簿，请按整改台账导入，而不是反馈意见。")
        if "word/document.xml" not in names or "[Content_Types].xml" not in names:
            raise FeedbackRefused("文件不是有效的 Word 文档（.docx），也不是文本文件，无法读取。")
        if "word/vbaProject.bin" in names:
            raise FeedbackRefused("文档含有宏，请在 Word 中另存为普通的 .docx 文件后再导入。")
        unpacked = sum(entry.file_size for entry in entries)
        if len(entries) > MAX_ZIP_ENTRIES or unpacked > settings.OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise FeedbackRefused(f"文件解压后过大（{_mb(unpacked)}），疑似异常文件，未导入。")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
