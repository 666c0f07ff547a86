"""建议：each problem of a feedback document gets a suggested category and the library's measures."""

import pytest

from partyreview.inspections.models import Category
from partyreview.intake.feedback import segment_text
from partyreview.intake.fields import Field
from partyreview.intake.suggestions import suggest_for_rows, with_suggested_measures
from partyreview.rectifications.measure_library import STANDARD_MEASURES, ensure_standard_measures
from partyreview.rectifications.models import StandardMeasure

pytestmark = pytest.mark.django_db

FEEDBACK = """现将检查发现的问题反馈如下：
（一）党的组织建设方面
1.党费收缴不规范。3名党员连续6个月未交纳党费。
2.支部委员会任期届满未换届。
"""


@pytest.fixture
def library(world):
    ensure_standard_measures(Category, StandardMeasure)
    return world


def test_each_problem_gets_its_category_and_the_librarys_measures(library):
    rows = segment_text(FEEDBACK).rows

    suggestions = suggest_for_rows(rows, user=library.alice)

    assert [s.category.code for s in suggestions] == ["dues_arrears", "election_overdue"]
    assert suggestions[0].measures[0].text == STANDARD_MEASURES["dues_arrears"][0][0]
    assert "党费" in suggestions[0].category.reasons


def test_prose_problems_get_the_first_library_measure_and_table_rows_keep_theirs(library):
    rows = segment_text(FEEDBACK).rows
    rows[1].values[Field.MEASURE] = "2027年3月底前完成换届选举"

    filled = with_suggested_measures(rows, user=library.alice)

    first_text, _ = STANDARD_MEASURES["dues_arrears"][0]
    assert filled[0].values[Field.MEASURE] == first_text
    assert filled[0].values[Field.KIND] == "立行立改"
    assert filled[1].values[Field.MEASURE] == "2027年3月底前完成换届选举"
    assert Field.MEASURE not in rows[0].values, "the rows given stay untouched"


def test_the_library_is_read_in_a_fixed_number_of_queries(library, django_assert_max_num_queries):
    rows = segment_text(FEEDBACK * 20).rows
    with django_assert_max_num_queries(3):
        suggest_for_rows(rows, user=library.alice)
