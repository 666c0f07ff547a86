"""Workbooks a careless or hostile sender can upload, built from a real one, for every import path's tests.

Each builder takes the bytes of a valid .xlsx (any import's) and returns a damaged or hostile variant, so a
test proves that the path refuses the hostile file and not merely a file of the wrong layout."""

import io
import struct
import zipfile

import openpyxl

from partyreview.common.spreadsheets import OLE_MAGIC

SHEET = "xl/worksheets/sheet1.xml"


def plain_xlsx(*rows: list[object]) -> bytes:
    wb = openpyxl.Workbook()
    for values in rows:
        wb.active.append(values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def ole_file(*streams: str) -> bytes:
    """Enough of an OLE compound file to be recognised: the magic number and directory entry names."""
    names = b"".join(s.encode("utf-16-le") + b"\0\0" for s in streams)
    return OLE_MAGIC + b"\0" * 504 + names + b"\0" * 512


def password_protected() -> bytes:
    """What Excel saves when a workbook is given an opening password: an OLE file, not a zip."""
    return ole_file("Root Entry", "EncryptionInfo", "EncryptedPackage")


def damaged_xls() -> bytes:
    """An old Excel file's directory without a readable workbook stream behind it."""
    return ole_file("Root Entry", "Workbook")


def macro_xls() -> bytes:
    """An old Excel file carrying a VBA project, as Excel 97–2003 saves a workbook with macros."""
    return ole_file("Root Entry", "Workbook", "_VBA_PROJECT_CUR", "VBA")


def word_doc() -> bytes:
    """An old Word .doc: an OLE file, but no workbook."""
    return ole_file("Root Entry", "WordDocument", "1Table")


def macro_enabled(data: bytes) -> bytes:
    """A valid workbook with a VBA project added, as Excel saves an .xlsm."""
    entries = entries_of(data)
    entries["xl/vbaProject.bin"] = b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nEnd Sub\n'
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return zip_of(entries)


def macro_content_type_only(data: bytes) -> bytes:
    """An .xlsm whose VBA part was renamed: the content type still says macro-enabled."""
    entries = entries_of(data)
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    return zip_of(entries)


def zip_bomb(data: bytes, *, megabytes: int = 60) -> bytes:
    """A small file that declares it inflates past the limit (zeros compress about a thousandfold)."""
    entries = entries_of(data)
    entries["xl/media/padding.bin"] = b"\0" * (megabytes * 1024 * 1024)
    return zip_of(entries)


def too_many_entries(data: bytes, *, count: int = 2100) -> bytes:
    entries = entries_of(data)
    for n in range(count):
        entries[f"xl/media/image{n}.png"] = b""
    return zip_of(entries)


def lying_size(data: bytes, *, declared: int = 100) -> bytes:
    """The sheet's entry declares ``declared`` bytes uncompressed in the zip's directory; it holds more."""
    out = bytearray(data)
    name = SHEET.encode()
    at = out.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", out, at + 28)[0]
        if bytes(out[at + 46 : at + 46 + name_length]) == name:
            struct.pack_into("<I", out, at + 24, declared)
            return bytes(out)
        at = out.find(b"PK\x01\x02", at + 4)
    raise AssertionError("no sheet entry")


def malformed_sheet_xml(data: bytes) -> bytes:
    """The sheet's XML cut off in the middle of a row, as a broken download leaves it."""
    entries = entries_of(data)
    entries[SHEET] = entries[SHEET][: len(entries[SHEET]) // 2]
    return zip_of(entries)


def billion_laughs(data: bytes) -> bytes:
    """Entity expansion in the sheet: a few hundred bytes that a naive parser inflates to gigabytes."""
    entries = entries_of(data)
    laughs = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    entries[SHEET] = (
        '<?xml version="1.0"?><!DOCTYPE lolz [' + "".join(laughs) + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    return zip_of(entries)


def external_entity(data: bytes) -> bytes:
    entries = entries_of(data)
    entries[SHEET] = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>'
    )
    return zip_of(entries)


def foreign_encoding(data: bytes) -> bytes:
    """A sheet declared in EBCDIC, where byte-level checks for a DTD would see nothing."""
    entries = entries_of(data)
    body = (
        '<!DOCTYPE w [<!ENTITY x "y">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    entries[SHEET] = b'<?xml version="1.0" encoding="cp500"?>' + body.encode("cp500")
    return zip_of(entries)
