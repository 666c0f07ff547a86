"""The register writer keeps memory bounded: the rows stream to a temporary file; what stays in memory per
row is only the height XlsxWriter keeps for each tall row (about 300 bytes: 30 MB at 100,000 rows)."""

import datetime
import tempfile
import tracemalloc
from collections.abc import Iterator

from partyreview.office.exporters import RegisterRow, write_register


def fake_rows(count: int) -> Iterator[RegisterRow]:
    """Rows as ``selectors.register_values`` yields them, made one at a time like a queryset iterator."""
    for index in range(count):
        yield RegisterRow(
            inspection="2026年巡察",
            organization="机关第一党支部",
            category='"三会一课"落实不到位',
            description=f"第{index}个问题：" + "支部未按期召开党员大会" * 6,
            measure="按季度制定会议计划" * 5,
            leader="马可",
            assignee="马可",
            department="党委办公室",
            due_date=datetime.date(2026, 6, 30),
            progress="已召开支委会专题研究" * 4,
            status="整改中",
            closed_on=None,
            light=2,
            overdue=False,
        )


def peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as target:
            assert write_register(fake_rows(count), target) == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_rows_stream_out_and_only_their_heights_stay_in_memory():
    small = peak_bytes(1000)
    large = peak_bytes(5000)

    assert large - small < 4000 * 400, (small, large)
    assert large < 8 * 1024 * 1024, large
