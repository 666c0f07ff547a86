"""What the table finder saw in a ledger is kept under the file's bytes, the sheet and the mapping
(intake/ledger.py): the upload, the preview, the confirm request and the worker open the workbook once
between them, and each reads exactly what a fresh read would."""

import dataclasses

import pytest
from django.core.cache import cache

from partyreview.intake import ledger
from partyreview.intake.importers import ImportRefused
from partyreview.intake.ledger import read_ledger
from partyreview.intake.models import LedgerMapping
from tests.intake import workbooks
from tests.intake.template_workbooks import row, xlsx


@pytest.fixture
def opened(monkeypatch):
    """How many times a workbook is opened (the reader itself still runs)."""
    count = {"n": 0}
    real = ledger.read_spreadsheet

    def counting(*args, **kwargs):
        count["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(ledger, "read_spreadsheet", counting)
    return count


def seen(read: ledger.LedgerRead) -> tuple:
    return (
        [dataclasses.asdict(r) for r in read.rows],
        read.table.sheet,
        read.table.header_rows,
        dict(read.table.mapping),
        read.table.columns,
        read.table.skipped,
        read.table.problems,
        read.table.signature,
        [str(e) for e in read.errors],
        read.remembered,
    )


@pytest.mark.parametrize("name", list(workbooks.LEDGERS))
def test_a_kept_read_is_the_fresh_read_and_opens_nothing(db, opened, name):
    data = workbooks.LEDGERS[name]()
    first = read_ledger(data)
    assert opened["n"] == 1

    again = read_ledger(data)
    assert opened["n"] == 1
    assert seen(again) == seen(first)


def test_cell_errors_are_kept_with_the_table(db, opened):
    data = xlsx(row(序号=1, 问题描述="=1+1"), row(序号=2))
    fresh = [str(e) for e in read_ledger(data).errors]
    assert any("含有公式" in e for e in fresh)

    assert [str(e) for e in read_ledger(data).errors] == fresh
    assert opened["n"] == 1
    cache.clear()
    assert [str(e) for e in read_ledger(data).errors] == fresh
    assert opened["n"] == 2


def test_another_mapping_or_sheet_is_read_afresh(db, opened):
    data = workbooks.ambiguous_columns()
    plain = read_ledger(data)
    assert [e.column for e in plain.errors][:1] == ["表头"]

    mapped = read_ledger(data, choices={"columns": {"3": "measure", "4": None}})
    assert opened["n"] == 2
    assert mapped.errors == []
    assert [r.values for r in mapped.rows] != [r.values for r in plain.rows]
    assert seen(read_ledger(data)) == seen(plain)
    assert opened["n"] == 2

    several = workbooks.several_sheets()
    assert read_ledger(several).table.sheet == "问题清单"
    for _ in range(2):  # a sheet with no table is refused each time, from what was found the first time
        with pytest.raises(ImportRefused, match="工作表“汇总”中找不到表头"):
            read_ledger(several, choices={"sheet": "汇总"})
    assert opened["n"] == 4


def test_a_mapping_remembered_after_the_first_read_applies_to_the_next(db, opened, world):
    data = workbooks.ambiguous_columns()
    first = read_ledger(data)
    assert not first.remembered and first.errors

    LedgerMapping.objects.create(
        signature=first.table.signature, columns={"3": "measure", "4": None}, confirmed_by=world.alice
    )
    second = read_ledger(data)

    assert second.remembered
    assert second.errors == []
    assert opened["n"] == 2  # the remembered mapping is another table, found in the workbook once


def test_a_new_reader_version_reads_the_file_again(db, opened, monkeypatch):
    data = workbooks.committee_ledger()
    read_ledger(data)
    monkeypatch.setattr(ledger, "READER_VERSION", ledger.READER_VERSION + 1)
    read_ledger(data)
    assert opened["n"] == 2
