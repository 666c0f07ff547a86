"""Organisation and people sheets as offices send them, built in memory."""

import io

from openpyxl import Workbook


def xlsx(rows: list[list[object]], *, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TREE_HEADER = [
    "党组织名称",
    "党组织编码",
    "党组织类别",
    "上级党组织",
    "书记",
    "成立日期",
    "本届任期起止",
    "党员人数",
    "是否设支委会",
]


def tree_file() -> bytes:
    """A committee, two general branches, three branches; parents by code."""
    return xlsx(
        [
            TREE_HEADER,
            ["示范党委", "D", "党委", "", "李书记", "2001-07-01", "2022-06-01至2027-05-31", 520, "是"],
            ["机关党总支", "D-A", "党总支", "D", "", "2005-03-01", "2024-03-01至2027-02-28", 60, "是"],
            ["生产党总支", "D-B", "党总支", "D", "", "2005-03-01", "2024-03-01至2027-02-28", 80, "是"],
            ["机关第一党支部", "D-A-1", "党支部", "D-A", "张伟", "2010-01-01", "2024-03-01至2027-02-28", 12, "是"],
            ["机关第二党支部", "D-A-2", "党支部", "D-A", "", "2010-01-01", "2024-03-01至2027-02-28", 5, "否"],
            ["生产第一党支部", "D-B-1", "党支部", "D-B", "", "2012-05-04", "2024-03-01至2027-02-28", 9, "是"],
        ],
        title="示范党委党组织信息表",
    )


PEOPLE_HEADER = ["序号", "姓名", "工号", "手机号", "所在党组织", "角色", "职务"]


def people_rows() -> list[list[object]]:
    """One person of every role, in the tree of ``tree_file``; 张伟 holds two roles."""
    return [
        [1, "王芳", "E001", "13800000001", "示范党委", "党务工作人员", "组织部干事"],
        [2, "李强", "E002", "13800000002", "D", "党委领导", "党委书记"],
        [3, "张伟", "E003", "13800000003", "机关第一党支部", "支部书记", "书记"],
        [4, "张伟", "E003", "13800000003", "机关党总支", "委员", "组织委员"],
        [5, "赵敏", "E004", "13800000004", "生产第一党支部", "委员", "宣传委员"],
        [6, "孙丽", "E005", "13800000005", "机关第二党支部", "党员", ""],
        [7, "周杰", "E006", "13800000006", "示范党委", "系统管理员", "信息中心"],
    ]


def people_file(rows: list[list[object]] | None = None, header: list[str] | None = None) -> bytes:
    return xlsx([header or PEOPLE_HEADER, *(people_rows() if rows is None else rows)], title="人员名单")
