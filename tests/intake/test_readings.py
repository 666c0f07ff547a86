"""What a ledger's cells say in words, read without a database: deadlines, 序号, numbered measures,
people, units and progress."""

import datetime

import pytest

from partyreview.intake.readings import (
    ProgressState,
    read_deadline,
    read_people,
    read_progress,
    read_sequence,
    read_units,
    split_measures,
    unit_stem,
)
from partyreview.rectifications.models import RectificationKind, ReportCadence

FEEDBACK = datetime.date(2026, 10, 15)
D = datetime.date


@pytest.mark.parametrize(
    ("raw", "due"),
    [
        (D(2027, 3, 31), D(2027, 3, 31)),
        (datetime.datetime(2027, 3, 31, 0, 0), D(2027, 3, 31)),
        (46477, D(2027, 3, 31)),
        (46477.0, D(2027, 3, 31)),
        ("46477", D(2027, 3, 31)),
        ("2027-03-31 00:00:00", D(2027, 3, 31)),
        ("2027-3-31", D(2027, 3, 31)),
        ("2027.1.31", D(2027, 1, 31)),
        ("2027/01/31", D(2027, 1, 31)),
        ("２０２７．１．３１", D(2027, 1, 31)),
        ("2027年3月31日", D(2027, 3, 31)),
        ("2027年3月31日前完成", D(2027, 3, 31)),
        ("2027年3月底前", D(2027, 3, 31)),
        ("2027年2月底", D(2027, 2, 28)),
        ("2028年2月底前", D(2028, 2, 29)),
        ("2027年底前", D(2027, 12, 31)),
        ("2027年年底", D(2027, 12, 31)),
        ("2027年上半年", D(2027, 6, 30)),
        ("2027年第一季度", D(2027, 3, 31)),
        ("2027.6", D(2027, 6, 30)),
        # Without a year: the next such day after the feedback date (2026-10-15).
        ("12月31日前", D(2026, 12, 31)),
        ("3月底前", D(2027, 3, 31)),
        ("10月底前", D(2026, 10, 31)),
        ("9月底前", D(2027, 9, 30)),
        ("三月底前", D(2027, 3, 31)),
    ],
)
def test_a_deadline_written_as_a_date_reads_as_that_date(raw, due):
    reading = read_deadline(raw, reference=FEEDBACK)
    assert reading.due_date == due
    assert not reading.problem


def test_the_preview_shows_the_raw_text_beside_its_reading():
    assert read_deadline("2027年3月底前", reference=FEEDBACK).note == "2027年3月底前 → 2027-03-31"


@pytest.mark.parametrize(
    ("raw", "kind", "due", "cadence"),
    [
        ("立行立改", RectificationKind.IMMEDIATE, None, None),
        ("长期坚持", RectificationKind.LONG_TERM, None, None),
        ("立行立改，长期坚持", RectificationKind.LONG_TERM, None, None),
        ("2027年底前，并长期坚持", RectificationKind.LONG_TERM, D(2027, 12, 31), None),
        ("每季度末", RectificationKind.LONG_TERM, None, ReportCadence.QUARTERLY),
        ("每月底前报告", RectificationKind.LONG_TERM, None, ReportCadence.MONTHLY),
        ("立行立改，2026年11月底前完成", RectificationKind.IMMEDIATE, D(2026, 11, 30), None),
    ],
)
def test_words_of_a_deadline_give_the_kind_and_cadence(raw, kind, due, cadence):
    reading = read_deadline(raw, reference=FEEDBACK)
    assert (reading.kind, reading.due_date, reading.cadence) == (kind, due, cadence)
    assert not reading.problem


def test_a_quarterly_check_reads_as_long_term_reported_quarterly():
    assert read_deadline("每季度末", reference=FEEDBACK).note == "每季度末 → 长期坚持，每季度报告"


@pytest.mark.parametrize("raw", ["尽快", "待定", "13月底前", "2027-02-30", 12.5])
def test_an_unreadable_deadline_says_so_and_gives_no_date(raw):
    reading = read_deadline(raw, reference=FEEDBACK)
    assert reading.due_date is None
    assert reading.problem


def test_a_blank_deadline_is_neither_a_date_nor_a_problem():
    reading = read_deadline(None, reference=FEEDBACK)
    assert (reading.due_date, reading.kind, reading.problem) == (None, None, "")


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        (1, 1),
        (3.0, 3),
        ("12", 12),
        ("1.", 1),
        ("2、", 2),
        ("一", 1),
        ("三、", 3),
        ("十二", 12),
        ("二十一、", 21),
        ("（一）", 1),
        ("(四)", 4),
        ("（3）", 3),
        ("第五项", 5),
        ("１０", 10),
    ],
)
def test_a_sequence_number_is_read_in_every_numbering(raw, number):
    assert read_sequence(raw) == number


@pytest.mark.parametrize("raw", [None, "", 0, -1, 1.5, "示例", "合计", True, "1.2"])
def test_what_is_not_a_sequence_number_reads_as_none(raw):
    assert read_sequence(raw) is None


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("1.健全三会一课制度；2.每季度检查一次；3.纳入考核。", ["健全三会一课制度", "每季度检查一次", "纳入考核"]),
        ("1、制定计划\n2、按月督促", ["制定计划", "按月督促"]),
        ("（1）建立台账（2）定期通报", ["建立台账", "定期通报"]),
        ("①补缴党费；②建立收缴台账", ["补缴党费", "建立收缴台账"]),
        ("一是开展专题学习；二是建立制度", ["开展专题学习", "建立制度"]),
        ("组织专题学习\n修订学习制度\n年底考核", ["组织专题学习", "修订学习制度", "年底考核"]),
        ("严格按照2026.3版制度执行，补记1次会议记录。", ["严格按照2026.3版制度执行，补记1次会议记录。"]),
        ("建立台账", ["建立台账"]),
        ("", []),
    ],
)
def test_measures_numbered_inside_one_cell_are_split(cell, items):
    assert split_measures(cell) == items


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("李建国（党委副书记）", ["李建国"]),
        ("李建国(党委副书记)", ["李建国"]),
        ("纪委书记 赵刚", ["赵刚"]),
        ("纪委书记赵刚", ["赵刚"]),
        ("张伟、王芳", ["张伟", "王芳"]),
        ("张伟，王芳；刘洋", ["张伟", "王芳", "刘洋"]),
        ("党委书记：王强", ["王强"]),
        ("王强同志", ["王强"]),
        ("组织部长", []),
        ("分管副总", []),
        ("zhangwei", ["zhangwei"]),
        ("", []),
        (None, []),
    ],
)
def test_people_are_read_without_their_titles(cell, names):
    assert read_people(cell) == names


@pytest.mark.parametrize(
    ("cell", "units"),
    [
        ("党委组织部、办公室党支部", ["党委组织部", "办公室党支部"]),
        ("牵头：财务部", ["财务部"]),
        ("办公室", ["办公室"]),
        ("", []),
    ],
)
def test_units_are_read_one_by_one(cell, units):
    assert read_units(cell) == units


def test_a_branch_and_its_department_share_a_stem():
    assert unit_stem("办公室党支部") == unit_stem("办公室") == "办公室"
    assert unit_stem("机关党委") == "机关"


@pytest.mark.parametrize(
    ("cell", "state"),
    [
        ("已完成", ProgressState.DONE),
        ("已完成整改", ProgressState.DONE),
        ("正在推进", ProgressState.ONGOING),
        ("按序时进度推进", ProgressState.ONGOING),
        ("取得阶段性成果并持续整改", ProgressState.KEPT_UP),
        ("未完成", ProgressState.NOT_DONE),
        ("长期坚持", ProgressState.KEPT_UP),
        ("已制定学习计划", ProgressState.ONGOING),
    ],
)
def test_progress_words_say_how_far_a_measure_has_come(cell, state):
    reading = read_progress(cell)
    assert reading.state == state
    assert reading.note == cell
    assert reading.is_done == (state == ProgressState.DONE)


def test_blank_progress_says_nothing():
    assert read_progress("").state is None


@pytest.mark.parametrize("raw", ["¹", "²⁰²⁷", "٣"])
def test_digits_that_are_not_ascii_never_break_a_reading(raw):
    reading = read_deadline(raw, reference=FEEDBACK)
    assert reading.due_date is None
    assert read_sequence(raw) in (None, 3)
