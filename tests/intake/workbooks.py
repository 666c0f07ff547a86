"""Ledgers laid out the way real offices keep them (整改台账 / 问题清单), for every intake test to reuse.

Each builder returns the bytes of an .xlsx and is described by what a person would see opening it. The
content is invented but real-shaped: titles merged across the columns, subtitles and 填报单位 lines, two
header rows, problems merged down over their measure rows, footers, several sheets, English exports,
numbered measures inside one cell, Chinese numerals as 序号, deadlines as dates, serials and words.

``EXPECTED`` says, per builder, what the table finder must find: the sheet, the header rows, the data
rows' Excel numbers and how many problems they hold. Colleagues' planner tests use the same builders.
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
from openpyxl.styles import Alignment, Font

D = datetime.date
TITLE = "中共某某市委员会关于市委第二巡察组反馈意见整改落实台账"


def to_bytes(wb: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _title(ws, text: str, width: int, row: int = 1) -> None:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=16)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")


def _put(ws, row: int, values: list[object]) -> None:
    for column, value in enumerate(values, start=1):
        if value is not None:
            ws.cell(row=row, column=column, value=value)


def _merge_down(ws, column: int, first: int, last: int) -> None:
    if last > first:
        ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


# ---- 1. title + subtitle + two header rows + vertical merges + footer --------------------------------


def committee_ledger() -> bytes:
    """The classic: title merged over A1:J1, a 填报单位/日期 line, a group row (问题清单 / 任务清单 / 责任清单
    merged across), the column names under it (序号 and 问题类别 merged down over both header rows),
    three problems merged down over their measures, a blank spacer, and a signature footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    _title(ws, TITLE, 10)
    _put(ws, 2, ["填报单位（盖章）：机关党委", None, None, None, None, None, None, "填报日期：2026年11月20日"])
    _put(ws, 3, ["序号", "问题类别", "问题清单", None, "任务清单", None, "责任清单", None, None, "整改进展"])
    ws.merge_cells("C3:D3")
    ws.merge_cells("E3:F3")
    ws.merge_cells("G3:I3")
    for column in (1, 2, 10):
        _merge_down(ws, column, 3, 4)
    _put(ws, 4, [None, None, "存在问题", "问题表现", "整改措施", "整改时限", "责任单位", "责任领导", "责任人"])
    problems = [
        (
            1,
            "党的政治建设",
            "学习贯彻党的创新理论不够深入",
            "理论学习中心组学习流于形式，研讨发言质量不高",
            [
                (
                    "制定年度学习计划，每月开展专题学习",
                    D(2027, 3, 31),
                    "党委办公室",
                    "李建国（党委副书记）",
                    "王芳",
                    "已完成",
                ),
                ("建立研讨发言质量评估机制", "2027年6月底前", "党委办公室", "李建国（党委副书记）", "王芳", "正在推进"),
            ],
        ),
        (
            2,
            "组织建设",
            "基层党组织“三会一课”制度落实不到位",
            "部分支部未按期召开支部党员大会",
            [
                (
                    "督促各支部按季度召开党员大会",
                    "立行立改",
                    "党委组织部、办公室党支部",
                    "纪委书记 赵刚",
                    "张伟",
                    "已完成整改",
                ),
                (
                    "将落实情况纳入支部书记述职评议",
                    D(2027, 12, 31),
                    "党委组织部",
                    "纪委书记 赵刚",
                    "",
                    "按序时进度推进",
                ),
                ("每季度末通报落实情况", "长期坚持", "党委组织部", "", "张伟", ""),
            ],
        ),
        (
            3,
            "作风建设",
            "文山会海问题仍然存在",
            "会议多、文件多，基层负担重",
            [
                (
                    "精简会议文件，严控发文数量",
                    "2027年底前，并长期坚持",
                    "党委办公室",
                    "李建国",
                    "王芳",
                    "取得阶段性成果并持续整改",
                )
            ],
        ),
    ]
    row = 5
    for sequence, category, problem, detail, measures in problems:
        first = row
        for measure, due, unit, leader, owner, progress in measures:
            _put(ws, row, [None, None, None, None, measure, due, unit, leader, owner, progress])
            row += 1
        _put(ws, first, [sequence, category, problem, detail])
        for column in (1, 2, 3, 4):
            _merge_down(ws, column, first, row - 1)
    ws.cell(row=5, column=6).number_format = "yyyy-mm-dd"
    row += 1  # a blank spacer
    _put(ws, row + 1, ["填报人：王芳", None, None, "审核人：李建国", None, None, "日期：2026年11月20日"])
    _put(ws, row + 2, ["备注：1.整改时限为最迟完成时间；2.整改进展每月更新。"])
    ws.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=10)
    return to_bytes(wb)


# ---- 2. an export from another system: English headers on row 1 ------------------------------------


def english_export() -> bytes:
    """What another tracker exports: one header row of English field names, one row per measure, dates as
    "2027-03-31 00:00:00" text, no merges."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "export"
    ws.append(["No.", "OrgName", "IssueType", "IssueDesc", "Measure", "Leader", "Owner", "DueDate", "Status"])
    ws.append(
        [
            1,
            "办公室党支部",
            "组织生活",
            "支部委员会会议记录不完整",
            "规范会议记录",
            "liu",
            "zhang",
            "2027-03-31 00:00:00",
            "Open",
        ]
    )
    ws.append(
        [
            1,
            "办公室党支部",
            "组织生活",
            "支部委员会会议记录不完整",
            "每月检查记录",
            "liu",
            "zhang",
            "2027-04-30 00:00:00",
            "Open",
        ]
    )
    ws.append(
        [
            2,
            "财务部党支部",
            "廉洁纪律",
            "公务接待审批不规范",
            "修订接待管理办法",
            "chen",
            "li",
            "2027-06-30 00:00:00",
            "Done",
        ]
    )
    return to_bytes(wb)


# ---- 3. header on row 3 after spacer rows, 一、二、三 as 序号 -----------------------------------------


def header_after_spacers() -> bytes:
    """A plain list whose header stands on row 4 after a title and two blank rows; 序号 written 一、二、三;
    column names with line breaks and full-width brackets ("整改时限\\n（完成时间）")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "巡察反馈问题整改清单"
    _put(ws, 4, ["序号", "具体问题", "整改\n措施", "责任\n部门", "整改时限\n（完成时间）", "完成情况"])
    _put(ws, 5, ["一", "党建工作责任制落实不到位", "明确班子成员“一岗双责”清单", "党委办公室", "2027.1.31", "正在推进"])
    _put(ws, 6, ["二", "发展党员程序不规范", "逐一核查近三年发展党员档案", "党委组织部", "2027/01/31", "已完成"])
    _put(ws, 7, ["三", "意识形态工作研判不及时", "每季度召开意识形态专题会议", "党委宣传部", "每季度末", ""])
    return to_bytes(wb)


# ---- 4. several sheets, the ledger not first ----------------------------------------------------------


def several_sheets() -> bytes:
    """A cover sheet (说明), a summary sheet with a few counts, then the ledger on the third sheet, and a
    hidden lists sheet."""
    wb = openpyxl.Workbook()
    cover = wb.active
    cover.title = "填报说明"
    cover["A1"] = "填报说明"
    cover["A2"] = "1. 问题描述请完整填写；2. 整改时限请填写具体日期。"
    summary = wb.create_sheet("汇总")
    summary.append(["类别", "问题数", "已完成"])
    summary.append(["组织建设", 3, 1])
    ledger = wb.create_sheet("问题清单")
    _title(ledger, "关于巡察反馈问题的整改台账", 6)
    ledger.append(["序号", "问题描述", "整改措施", "牵头单位", "配合单位", "截止日期"])
    ledger.append([1, "干部档案管理不规范", "开展干部人事档案专项审核", "党委组织部", "人力资源部", D(2027, 5, 31)])
    ledger.append([2, "党费收缴不及时", "建立党费收缴台账按月核对", "机关党委", "财务部", D(2027, 2, 28)])
    lists = wb.create_sheet("下拉选项")
    lists.sheet_state = "hidden"
    lists.append(["组织建设"])
    return to_bytes(wb)


# ---- 5. one row per problem, measures numbered inside one cell ----------------------------------------


def numbered_measures() -> bytes:
    """One row per problem; the measures numbered inside one cell ("1.……；2.……" or one per line); （一）
    as 序号; deadlines in words."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    _title(ws, "巡察整改任务清单", 6)
    ws.append(["序号", "问题内容", "整改任务", "责任领导", "责任单位", "完成时限"])
    ws.append(
        [
            "（一）",
            "“三重一大”决策制度执行不严格",
            "1.修订“三重一大”决策实施办法；2.建立决策事项台账。",
            "党委书记",
            "党委办公室",
            "2027年3月底前",
        ]
    )
    ws.append(
        [
            "（二）",
            "选人用人工作不规范",
            "1. 严格执行干部选拔任用程序\n2. 开展专项检查\n3. 完善考察制度",
            "组织部长",
            "党委组织部",
            "12月31日前",
        ]
    )
    ws.append(["（三）", "党风廉政教育针对性不强", "开展警示教育", "纪委书记", "纪委办公室", "立行立改，长期坚持"])
    return to_bytes(wb)


# ---- 6. dates as serial numbers and as text; 问题类别 missing ----------------------------------------


def serial_dates_no_category() -> bytes:
    """A ledger without 问题类别, deadlines as Excel serial numbers (the date format lost in a copy) and as
    text, 责任人 listing several names."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改落实情况"
    ws.append(["编号", "党组织", "问题表现", "整改举措", "责任人", "整改期限", "整改状态"])
    ws.append([1, "第一党支部", "主题党日活动内容单一", "制定主题党日年度计划", "张伟、李娜", 46477, "未完成"])
    ws.append([2, "第二党支部", "党员教育管理不严格", "建立党员积分管理制度", "王强", "2027年3月31日", "已完成"])
    ws.append([3, "第三党支部", "支部书记培训不到位", "组织支部书记轮训", "", "2027-03-31", ""])
    return to_bytes(wb)


# ---- 7. section headings inside the table, totals and a repeated header ------------------------------


def sections_and_repeated_header() -> bytes:
    """Problems grouped under headings merged across the table ("一、党的政治建设方面"), the header repeated
    halfway down (a printout pasted back), and a 合计 row at the bottom."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    _title(ws, TITLE, 6)
    header = ["序号", "存在问题", "整改措施", "责任单位", "责任人", "整改时限"]
    _put(ws, 2, header)
    _put(ws, 3, ["一、党的政治建设方面"])
    ws.merge_cells("A3:F3")
    _put(ws, 4, [1, "贯彻落实上级决策部署有差距", "建立重点任务督办机制", "党委办公室", "王芳", D(2027, 3, 31)])
    _put(ws, 5, [2, "政治理论学习不系统", "完善中心组学习制度", "党委宣传部", "刘洋", D(2027, 4, 30)])
    _put(ws, 6, header)
    _put(ws, 7, ["二、党的组织建设方面"])
    ws.merge_cells("A7:F7")
    _put(ws, 8, [3, "组织生活会质量不高", "规范组织生活会流程", "党委组织部", "张伟", D(2027, 6, 30)])
    _put(ws, 9, ["合计", "3项问题", "3项措施"])
    return to_bytes(wb)


# ---- 8. names merged down over two header rows, groups above some columns only -----------------------


def grouped_responsibility_header() -> bytes:
    """Two header rows the other way round: 序号, 问题描述, 整改措施, 整改时限 merged down over rows 2–3;
    "责任主体" merged across three columns on row 2 with 责任单位 / 责任领导 / 责任人 under it; a
    subtitle line on row 1 (not merged)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "（2026年第三轮巡察反馈问题）"
    _put(ws, 2, ["序号", "问题描述", "整改措施", "责任主体", None, None, "整改时限", "备注"])
    for column in (1, 2, 3, 7, 8):
        _merge_down(ws, column, 2, 3)
    ws.merge_cells("D2:F2")
    _put(ws, 3, [None, None, None, "责任单位", "责任领导", "责任人"])
    _put(ws, 4, [1, "固定资产管理不规范", "开展资产清查", "财务部", "分管副总", "李娜", D(2027, 1, 31), ""])
    _put(ws, 5, [None, None, "建立资产管理台账", "财务部", "分管副总", "李娜", D(2027, 3, 31), "正在推进"])
    _merge_down(ws, 1, 4, 5)
    _merge_down(ws, 2, 4, 5)
    _put(ws, 6, [2, "合同审核流于形式", "修订合同管理办法", "法务部", "总法律顾问", "陈静", "2027年6月30日", ""])
    _put(ws, 8, ["制表人：李娜", None, None, "审核人：陈静"])
    return to_bytes(wb)


# ---- 9. a sheet that is not a ledger at all -----------------------------------------------------------


def not_a_ledger() -> bytes:
    """A meeting sign-in sheet: nothing in it names a problem or a measure."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "签到表"
    ws.append(["姓名", "单位", "签到时间"])
    ws.append(["张伟", "党委办公室", "09:00"])
    return to_bytes(wb)


def ambiguous_columns() -> bytes:
    """Two columns both headed 问题描述 (a short and a long description side by side), a column nobody
    names ("佐证材料") and no 整改措施 column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "问题描述", "问题描述", "佐证材料", "责任人"])
    ws.append([1, "会议记录不全", "支委会记录缺三次", "会议记录复印件", "张伟"])
    return to_bytes(wb)


@dataclass(frozen=True)
class Expected:
    sheet: str
    header_rows: tuple[int, ...]
    data_rows: list[int]
    problems: int  # distinct problems (rows with a 问题描述 of their own, after fill-down)


LEDGERS: dict[str, Callable[[], bytes]] = {
    "committee ledger": committee_ledger,
    "English export": english_export,
    "header after spacer rows": header_after_spacers,
    "several sheets": several_sheets,
    "numbered measures in one cell": numbered_measures,
    "serial dates, no category": serial_dates_no_category,
    "sections and a repeated header": sections_and_repeated_header,
    "grouped responsibility header": grouped_responsibility_header,
}

EXPECTED: dict[str, Expected] = {
    "committee ledger": Expected("整改台账", (3, 4), [5, 6, 7, 8, 9, 10], 3),
    "English export": Expected("export", (1,), [2, 3, 4], 2),
    "header after spacer rows": Expected("Sheet1", (4,), [5, 6, 7], 3),
    "several sheets": Expected("问题清单", (2,), [3, 4], 2),
    "numbered measures in one cell": Expected("台账", (2,), [3, 4, 5], 3),
    "serial dates, no category": Expected("整改落实情况", (1,), [2, 3, 4], 3),
    "sections and a repeated header": Expected("整改台账", (2,), [4, 5, 8], 3),
    "grouped responsibility header": Expected("Sheet1", (2, 3), [4, 5, 6], 2),
}
