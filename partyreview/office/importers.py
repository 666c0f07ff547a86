"""问题清单 Excel 导入：模板、文件检查、逐行校验，得出导入计划。

Nothing here writes to the database: ``read_workbook`` turns an uploaded file into rows (or refuses the
whole file), ``plan_import`` checks every row against the database and says what would be created and
what is wrong, and ``office.services`` carries a clean plan out through the rectification services.
The format is described in docs/decisions/import-format.md; the messages are part of it (tests pin them).
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.db.models import Q
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from partyreview.accounts.models import Role, User
from partyreview.common import xlsx
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category, Finding, Inspection, Severity
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import has_role_over
from partyreview.rectifications.models import RectificationKind

DATA_SHEET = "问题清单"
HELP_SHEET = "填写说明"
LISTS_SHEET = "下拉选项"
EXAMPLE_MARK = "示例"


@dataclass(frozen=True)
class Column:
    header: str
    required: bool
    width: int
    # "finding" columns describe the problem and are read from the first row of a 序号;
    # "measure" columns describe one 整改措施 and are read from every row.
    level: str
    help: str


COLUMNS: tuple[Column, ...] = (
    Column(
        "序号", True, 7, "key", "本次检查内的问题序号（正整数）。同一问题有多项整改措施时，每项措施占一行，序号相同。"
    ),
    Column("党组织", True, 18, "finding", "被检查党组织的名称或编码，须在本次检查范围和您的管理范围内。"),
    Column("问题类别", True, 24, "finding", "从下拉列表中选择。"),
    Column("严重程度", False, 9, "finding", "一般、较重或严重；不填按“一般”。"),
    Column("问题描述", True, 40, "finding", "问题的具体表现。"),
    Column("依据", False, 28, "finding", "违反的制度条款，可不填。"),
    Column("发现日期", True, 12, "finding", "日期，如 2026-03-31。"),
    Column("整改措施", True, 40, "measure", "一项具体的整改措施。"),
    Column("整改类型", False, 10, "measure", "立行立改、限期整改或长期坚持；不填按“限期整改”。"),
    Column("责任领导", False, 10, "measure", "用户名或姓名，可不填；须为该党组织或其上级党组织的成员。"),
    Column("责任人", True, 10, "measure", "用户名或姓名；须为该党组织或其下级党组织的成员。"),
    Column("整改时限", True, 12, "measure", "日期，不得早于发现日期。"),
)
HEADERS = tuple(c.header for c in COLUMNS)
FINDING_COLUMNS = tuple(c.header for c in COLUMNS if c.level == "finding")
SEVERITY_BY_LABEL = {label: value for value, label in Severity.choices}
KIND_BY_LABEL = {label: value for value, label in RectificationKind.choices}
DEFAULT_KIND_LABEL = RectificationKind.DEADLINE.label
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE container holding a stream of this name (UTF-16LE in the directory).
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")
MAX_ZIP_ENTRIES = 2000
# Blank rows (often just formatting) are skipped, but not without end.
MAX_BLANK_ROWS = 20000


class ImportRefused(ActionRefused):
    """The whole file is refused (not a workbook, encrypted, too large, wrong layout). Nothing is imported."""


@dataclass(frozen=True)
class RowError:
    """One thing wrong in one cell: Excel's row number, the column's header, and what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行“{self.column}”：{self.message}"


@dataclass(frozen=True)
class SheetCell:
    value: Any
    data_type: str
    coordinate: str


@dataclass(frozen=True)
class SheetRow:
    number: int
    cells: dict[str, SheetCell]


# ---- the template -----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
EXAMPLE_FONT = Font(italic=True, color="808080")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"


def build_template(*, categories: Sequence[Category], organizations: Sequence[Organization]) -> bytes:
    """The import template: the data sheet with drop-downs and one example row, instructions, and a
    hidden sheet holding the drop-down lists (category names contain quotes and commas, which an
    inline list cannot carry)."""
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(xlsx.row(ws, HEADERS))
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"

    today = local_today()
    example = {
        "序号": EXAMPLE_MARK,
        "党组织": organizations[0].name if organizations else "某某党支部",
        "问题类别": categories[0].name if categories else "",
        "严重程度": "较重",
        "问题描述": "（示例行，导入时自动忽略）2025年第三季度未召开支部党员大会。",
        "依据": "《中国共产党支部工作条例（试行）》第十一条",
        "发现日期": today,
        "整改措施": "按季度制定“三会一课”计划并报党总支备案。",
        "整改类型": DEFAULT_KIND_LABEL,
        "责任领导": "",
        "责任人": "张三",
        "整改时限": today + datetime.timedelta(days=30),
    }
    ws.append(xlsx.row(ws, [example[h] for h in HEADERS]))
    for index, header in enumerate(HEADERS, start=1):
        cell = ws.cell(row=2, column=index)
        cell.font = EXAMPLE_FONT
        cell.alignment = WRAP
        if header in {"发现日期", "整改时限"}:
            cell.number_format = DATE_FORMAT

    help_sheet = wb.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 12
    help_sheet.column_dimensions["B"].width = 8
    help_sheet.column_dimensions["C"].width = 80
    for line in HELP_LINES:
        help_sheet.append(xlsx.row(help_sheet, [line]))
    help_sheet.append([])
    help_sheet.append(xlsx.row(help_sheet, ["列名", "必填", "填写要求"]))
    for column in COLUMNS:
        help_sheet.append(xlsx.row(help_sheet, [column.header, "是" if column.required else "否", column.help]))
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    lists.append(xlsx.row(lists, ["问题类别", "严重程度", "整改类型", "党组织", "党组织编码"]))
    columns = [
        [c.name for c in categories],
        list(SEVERITY_BY_LABEL),
        list(KIND_BY_LABEL),
        [o.name for o in organizations],
        [o.code for o in organizations],
    ]
    for row in range(max(len(c) for c in columns)):
        lists.append(xlsx.row(lists, [c[row] if row < len(c) else None for c in columns]))

    last = settings.OFFICE_IMPORT_MAX_ROWS + 1
    letter = {h: get_column_letter(i) for i, h in enumerate(HEADERS, start=1)}

    def choose_from(header: str, list_column: str, count: int, *, strict: bool) -> None:
        if not count:
            return
        dv = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${list_column}$2:${list_column}${count + 1}",
            allow_blank=True,
            showErrorMessage=strict,
            errorTitle="输入有误",
            error=f"请从下拉列表中选择{header}。",
        )
        dv.add(f"{letter[header]}2:{letter[header]}{last}")
        ws.add_data_validation(dv)

    choose_from("问题类别", "A", len(categories), strict=True)
    choose_from("严重程度", "B", len(SEVERITY_BY_LABEL), strict=True)
    choose_from("整改类型", "C", len(KIND_BY_LABEL), strict=True)
    # Organisations may also be given by code, so their list only suggests.
    choose_from("党组织", "D", len(organizations), strict=False)
    for header in ("发现日期", "整改时限"):
        dv = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="DATE(2000,1,1)",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="日期有误",
            error="请填写日期，如 2026-03-31。",
        )
        dv.add(f"{letter[header]}2:{letter[header]}{last}")
        ws.add_data_validation(dv)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


HELP_LINES = (
    "问题清单导入模板填写说明",
    "1. 在“问题清单”工作表中每行填写一项整改措施；同一问题有多项措施时，各行填写相同的序号。",
    "   党组织、问题类别、严重程度、问题描述、依据、发现日期以该序号的第一行为准，其余行可留空。",
    "2. 序号为“示例”的行是填写示例，导入时自动忽略，可保留也可删除。",
    "3. 本次检查中已存在的序号会被跳过（“已存在，跳过”），因此同一文件重复导入不会产生重复问题。",
    "4. 请勿修改第一行表头、合并单元格、使用公式或增加工作表；文件不得设置密码。",
    "5. 上传后系统先显示预览，逐行列出错误；全部无误后才能确认导入，且要么全部导入，要么都不导入。",
)


# ---- reading the file -------------------------------------------------------------------------------


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def check_container(stream: IO[bytes]) -> bytes:
    """Refuse what is not a plain, reasonably sized .xlsx by looking at the bytes, never at the name.
    Returns the file's content."""
    size = _size(stream)
    limit = settings.OFFICE_IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(f"文件过大（{_mb(size)}），导入文件不能超过 {_mb(limit)}。")
    if size == 0:
        raise ImportRefused("文件是空的，请选择填写好的 .xlsx 文件。")
    data = stream.read()
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION_STREAM in data:
            raise ImportRefused("文件设置了密码保护，无法读取。请在 Excel 中取消密码后另存为 .xlsx 文件再导入。")
        raise ImportRefused("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 文件后再导入。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ImportRefused("文件不是有效的 Excel 工作簿（.xlsx），请使用下载的模板填写后上传。") from None
    with archive:
        entries = archive.infolist()
        names = {e.filename for e in entries}
        if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
            raise ImportRefused("文件不是有效的 Excel 工作簿（.xlsx），请使用下载的模板填写后上传。")
        if "xl/vbaProject.bin" in names:
            raise ImportRefused("工作簿含有宏，请在 Excel 中另存为普通的 .xlsx 文件后再导入。")
        # Python's zipfile never inflates an entry past its declared size, so checking the declared
        # sizes bounds what openpyxl can be made to decompress.
        unpacked = sum(e.file_size for e in entries)
        if len(entries) > MAX_ZIP_ENTRIES or unpacked > settings.OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise ImportRefused(f"文件解压后过大（{_mb(unpacked)}），疑似异常文件，未导入。")
    return data


def _header_merges(data: bytes, worksheet_path: str) -> list[str]:
    """Merged ranges touching the header row. Read-only openpyxl does not parse them, so we stream
    the sheet's XML for <mergeCell ref="..."> ourselves."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(worksheet_path) as source:
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell"):
                ref = element.get("ref", "")
                try:
                    _min_col, min_row, _max_col, _max_row = range_boundaries(ref)
                except (TypeError, ValueError):
                    continue
                if min_row == 1:
                    found.append(ref)
            elif element.tag.endswith("}row"):
                # Rows can be many; drop their cells once read so memory stays flat.
                element.clear()
    return found


def read_workbook(stream: IO[bytes]) -> list[SheetRow]:
    """The data rows of an import file, keyed by header. Refuses the file (ImportRefused) for anything
    that is not the template's layout. Blank rows and the example row are left out."""
    data = check_container(stream)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; each means the same to the user.
        raise ImportRefused("无法读取该工作簿，文件可能已损坏。请用 Excel 打开确认后另存为 .xlsx 再导入。") from None
    try:
        return _read_data_sheet(wb, data)
    finally:
        wb.close()


def _read_data_sheet(wb: Any, data: bytes) -> list[SheetRow]:
    names = wb.sheetnames
    if DATA_SHEET in names:
        extra = [n for n in names if n not in {DATA_SHEET, HELP_SHEET, LISTS_SHEET}]
        if extra:
            listed = "、".join(f"“{n}”" for n in extra)
            raise ImportRefused(f"工作簿含有模板以外的工作表{listed}，请删除后再导入。")
        ws = wb[DATA_SHEET]
    elif len(names) == 1:
        ws = wb[names[0]]
    else:
        raise ImportRefused(f"找不到“{DATA_SHEET}”工作表，请使用下载的模板填写。")

    merged = _header_merges(data, ws._worksheet_path)  # read-only sheets keep their zip path privately
    if merged:
        raise ImportRefused(f"表头含有合并单元格（{'、'.join(merged)}），请取消合并后再导入。")

    header_row = next(ws.iter_rows(min_row=1, max_row=1), ())
    positions: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        if getattr(cell, "data_type", None) == "f":
            raise ImportRefused(f"表头单元格 {cell.coordinate} 含有公式，请使用模板中的表头。")
        text = _text(cell.value)
        if not text:
            continue
        if text not in HEADERS:
            raise ImportRefused(f"表头第{get_column_letter(index + 1)}列“{text}”不是模板中的列，请使用模板中的表头。")
        if text in positions:
            raise ImportRefused(f"表头“{text}”出现了两次，请使用模板中的表头。")
        positions[text] = index
    missing = [h for h in HEADERS if h not in positions]
    if missing:
        raise ImportRefused(f"表头缺少{'、'.join(f'“{h}”' for h in missing)}列，请使用模板中的表头。")

    width = max(positions.values()) + 1
    rows: list[SheetRow] = []
    blank = 0
    max_rows = settings.OFFICE_IMPORT_MAX_ROWS
    for number, cells in enumerate(ws.iter_rows(min_row=2, max_col=width), start=2):
        values = {
            header: SheetCell(
                value=cells[i].value if i < len(cells) else None,
                data_type=getattr(cells[i], "data_type", "n") if i < len(cells) else "n",
                coordinate=f"{get_column_letter(i + 1)}{number}",
            )
            for header, i in positions.items()
        }
        if all(_blank(c.value) for c in values.values()):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                break
            continue
        if _text(values["序号"].value) == EXAMPLE_MARK:
            continue
        rows.append(SheetRow(number=number, cells=values))
        if len(rows) > max_rows:
            raise ImportRefused(f"数据超过 {max_rows} 行，请分成多个文件导入。")
    if not rows:
        raise ImportRefused("文件中没有可导入的数据行（示例行会被忽略）。")
    return rows


# ---- checking rows against the database -------------------------------------------------------------


@dataclass
class MeasurePlan:
    row: int
    measure: str
    kind: str
    assignee: User
    responsible_leader: User | None
    due_date: datetime.date


@dataclass
class FindingPlan:
    sequence: int
    rows: list[int]
    organization: Organization
    category: Category
    severity: str
    description: str
    basis: str
    found_on: datetime.date
    measures: list[MeasurePlan] = field(default_factory=list)

    def get_severity_display(self) -> str:
        return Severity(self.severity).label


@dataclass(frozen=True)
class SkippedFinding:
    sequence: int
    rows: list[int]
    note: str


@dataclass
class ImportPlan:
    """What an import would do: the findings to create, those already there, and every error."""

    findings: list[FindingPlan]
    skipped: list[SkippedFinding]
    errors: list[RowError]
    row_count: int

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def measure_count(self) -> int:
        return sum(len(f.measures) for f in self.findings)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _normalise_quotes(value: str) -> str:
    # People type the category names with Chinese or straight quotes; both mean the same name.
    return re.sub(r"[\"“”„‟＂]", '"', value).strip()


def parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for pattern in DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                try:
                    return datetime.date(*(int(g) for g in match.groups()))
                except ValueError:
                    return None
    return None


def parse_sequence(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float) and value.is_integer() and value > 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value.strip()) > 0:
        return int(value.strip())
    return None


class _Lookups:
    """Everything the rows refer to, fetched in a fixed number of queries whatever the row count."""

    def __init__(self, *, actor: User, inspection: Inspection, rows: Sequence[SheetRow]) -> None:
        self.actor = actor
        self.inspection = inspection
        org_values = {_text(r.cells["党组织"].value) for r in rows} - {""}
        self.orgs = list(Organization.objects.filter(Q(code__in=org_values) | Q(name__in=org_values)))
        people = {_text(r.cells[h].value) for r in rows for h in ("责任人", "责任领导")} - {""}
        self.users = list(User.objects.filter(is_active=True).filter(Q(username__in=people) | Q(full_name__in=people)))
        self.membership_paths: dict[int, list[str]] = {}
        for user_id, path in Membership.objects.filter(user__in=self.users).values_list(
            "user_id", "organization__path"
        ):
            self.membership_paths.setdefault(user_id, []).append(path)
        self.categories = list(Category.objects.filter(is_active=True))
        sequences = {s for s in (parse_sequence(r.cells["序号"].value) for r in rows) if s}
        self.existing = set(
            Finding.objects.filter(inspection=inspection, sequence__in=sequences).values_list("sequence", flat=True)
        )

    def organization(self, value: str) -> tuple[Organization | None, str]:
        by_code = [o for o in self.orgs if o.code == value]
        candidates = by_code or [o for o in self.orgs if o.name == value]
        if not candidates:
            return None, f"找不到党组织“{value}”，请填写党组织名称或编码"
        in_scope = [o for o in candidates if has_role_over(self.actor, o, {Role.STAFF})]
        if not in_scope:
            return None, f"党组织“{value}”不在您的管理范围内"
        in_inspection = [o for o in in_scope if o.is_within(self.inspection.inspecting_org)]
        if not in_inspection:
            return None, f"党组织“{value}”不在本次检查（{self.inspection.inspecting_org}）的范围内"
        if len(in_inspection) > 1:
            return None, f"有多个党组织名为“{value}”，请改填党组织编码"
        if not in_inspection[0].is_active:
            return None, f"党组织“{value}”已停用"
        return in_inspection[0], ""

    def category(self, value: str) -> Category | None:
        wanted = _normalise_quotes(value)
        for category in self.categories:
            if _normalise_quotes(category.name) == wanted or category.code == value:
                return category
        return None

    def person(self, value: str, *, eligible: Any, label: str, org: Organization | None) -> tuple[User | None, str]:
        """A user by user name, else by full name; ``eligible(paths)`` says whether their memberships fit."""
        by_username = [u for u in self.users if u.username == value]
        candidates = by_username or [u for u in self.users if u.full_name == value]
        if not candidates:
            return None, f"找不到用户“{value}”，请填写用户名或姓名"
        if org is None:
            # The organisation itself is wrong and reported in its own column; no more to say here.
            return (candidates[0] if len(candidates) == 1 else None), ""
        fitting = [u for u in candidates if eligible(self.membership_paths.get(u.pk, []))]
        if not fitting:
            return None, f"“{value}”不是“{org}”{label}"
        if len(fitting) > 1:
            return None, f"有多名用户叫“{value}”，请改填用户名"
        return fitting[0], ""


def plan_import(*, actor: User, inspection: Inspection, rows: Sequence[SheetRow]) -> ImportPlan:
    """Check every row and say what the import would do. Rows sharing a 序号 are one finding's measures."""
    lookups = _Lookups(actor=actor, inspection=inspection, rows=rows)
    errors: list[RowError] = []
    groups: dict[int, list[SheetRow]] = {}
    for row in rows:
        for header, cell in row.cells.items():
            if cell.data_type == "f":
                errors.append(RowError(row.number, header, f"单元格 {cell.coordinate} 含有公式，请改为直接填写内容"))
            elif cell.data_type == "e":
                errors.append(RowError(row.number, header, f"单元格 {cell.coordinate} 的值有误（{cell.value}）"))
        raw = row.cells["序号"].value
        sequence = parse_sequence(raw)
        if sequence is None:
            message = "必填，不能为空" if _blank(raw) else f"“{_text(raw)}”不是有效的序号，应为正整数"
            errors.append(RowError(row.number, "序号", message))
            continue
        groups.setdefault(sequence, []).append(row)

    findings: list[FindingPlan] = []
    skipped: list[SkippedFinding] = []
    for sequence, group in groups.items():
        numbers = [r.number for r in group]
        if sequence in lookups.existing:
            skipped.append(SkippedFinding(sequence, numbers, "已存在，跳过"))
            continue
        plan = _plan_finding(sequence, group, lookups, errors)
        if plan is not None:
            findings.append(plan)
    errors.sort(key=lambda e: (e.row, HEADERS.index(e.column) if e.column in HEADERS else 0))
    return ImportPlan(findings=findings, skipped=skipped, errors=errors, row_count=len(rows))


def _plan_finding(
    sequence: int, group: list[SheetRow], lookups: _Lookups, errors: list[RowError]
) -> FindingPlan | None:
    first = group[0]
    before = len(errors)

    def text(row: SheetRow, header: str) -> str:
        return _text(row.cells[header].value)

    def required(row: SheetRow, header: str) -> str:
        value = text(row, header)
        if not value:
            errors.append(RowError(row.number, header, "必填，不能为空"))
        return value

    def date(row: SheetRow, header: str) -> datetime.date | None:
        raw = row.cells[header].value
        if _blank(raw):
            errors.append(RowError(row.number, header, "必填，不能为空"))
            return None
        parsed = parse_date(raw)
        if parsed is None:
            errors.append(RowError(row.number, header, f"“{_text(raw)}”不是有效日期，请填写如 2026-03-31 的日期"))
        return parsed

    org_text = required(first, "党组织")
    organization = None
    if org_text:
        organization, problem = lookups.organization(org_text)
        if problem:
            errors.append(RowError(first.number, "党组织", problem))
    category_text = required(first, "问题类别")
    category = lookups.category(category_text) if category_text else None
    if category_text and category is None:
        errors.append(RowError(first.number, "问题类别", f"问题类别“{category_text}”不存在，请从下拉列表中选择"))
    severity_text = text(first, "严重程度") or Severity.MINOR.label
    severity = SEVERITY_BY_LABEL.get(severity_text)
    if severity is None:
        errors.append(RowError(first.number, "严重程度", f"“{severity_text}”不是有效的严重程度，应为一般、较重或严重"))
    description = required(first, "问题描述")
    found_on = date(first, "发现日期")

    # Later rows of the same 序号 may leave the finding's cells blank (or merged); if filled, they must agree.
    for row in group[1:]:
        for header in FINDING_COLUMNS:
            value = row.cells[header].value
            if _blank(value):
                continue
            same = (
                parse_date(value) == found_on
                if header == "发现日期"
                else _normalise_quotes(_text(value)) == _normalise_quotes(text(first, header))
            )
            if not same:
                errors.append(RowError(row.number, header, f"与第{first.number}行（序号相同）的“{header}”不一致"))

    measures: list[MeasurePlan] = []
    for row in group:
        measure = required(row, "整改措施")
        kind_text = text(row, "整改类型") or DEFAULT_KIND_LABEL
        kind = KIND_BY_LABEL.get(kind_text)
        if kind is None:
            errors.append(
                RowError(row.number, "整改类型", f"“{kind_text}”不是有效的整改类型，应为立行立改、限期整改或长期坚持")
            )
        assignee = None
        assignee_text = required(row, "责任人")
        if assignee_text:
            assignee, problem = lookups.person(
                assignee_text,
                eligible=lambda paths: any(p.startswith(organization.path) for p in paths),
                label="或其下级党组织的成员，不能担任责任人",
                org=organization,
            )
            if problem:
                errors.append(RowError(row.number, "责任人", problem))
        leader = None
        leader_text = text(row, "责任领导")
        if leader_text:
            leader, problem = lookups.person(
                leader_text,
                eligible=lambda paths: any(organization.path.startswith(p) for p in paths),
                label="或其上级党组织的成员，不能担任责任领导",
                org=organization,
            )
            if problem:
                errors.append(RowError(row.number, "责任领导", problem))
        due_date = date(row, "整改时限")
        if due_date and found_on and due_date < found_on:
            errors.append(
                RowError(row.number, "整改时限", f"整改时限 {due_date:%Y-%m-%d} 早于发现日期 {found_on:%Y-%m-%d}")
            )
        if measure and kind and assignee and due_date:
            measures.append(MeasurePlan(row.number, measure, kind, assignee, leader, due_date))

    if len(errors) > before or not (organization and category and severity and description and found_on):
        return None
    return FindingPlan(
        sequence=sequence,
        rows=[r.number for r in group],
        organization=organization,
        category=category,
        severity=severity,
        description=description,
        basis=text(first, "依据"),
        found_on=found_on,
        measures=measures,
    )


def errors_text(errors: Iterable[RowError]) -> str:
    return "\n".join(str(e) for e in errors)
