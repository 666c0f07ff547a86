"""The register writer keeps memory flat: ten times the rows, about the same peak."""

import datetime
import tempfile
import tracemalloc
from collections.abc import Iterator
from types import SimpleNamespace

from partyreview.office.exporters import write_register


def fake_rows(count: int) -> Iterator[SimpleNamespace]:
    """Stand-ins with the attributes the writer reads, made one at a time like a queryset iterator."""
    person = SimpleNamespace(display_name="马可")
    for index in range(count):
        yield SimpleNamespace(
            finding=SimpleNamespace(
                inspection=SimpleNamespace(title="2026年巡察"),
                organization=SimpleNamespace(name="机关第一党支部"),
                category=SimpleNamespace(name='"三会一课"落实不到位'),
                description=f"第{index}个问题：" + "支部未按期召开党员大会" * 6,
            ),
            measure="按季度制定会议计划" * 5,
            responsible_leader=person,
            assignee=person,
            named_assignee="",
            department="党委办公室",
            due_date=datetime.date(2026, 6, 30),
            latest_progress="已召开支委会专题研究" * 4,
            get_status_display=lambda: "整改中",
            closed_at=None,
            light=2,
        )


def peak_bytes(count: int) -> int:
    tracemalloc.start()
    try:
        with tempfile.TemporaryFile() as target:
            assert write_register(fake_rows(count), target) == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ten_times_the_rows_does_not_take_ten_times_the_memory():
    small = peak_bytes(100)
    large = peak_bytes(1000)

    assert large < small * 1.5 + 256 * 1024, (small, large)
