"""The one reader of ids, numbers, dates and keywords from a request (partyreview/common/params.py)."""

import datetime

import pytest
from django import forms
from django.http import QueryDict

from partyreview.common import params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() again, and int() would even accept them
        ("0", None),
        ("-3", None),
        ("1.5", None),
        ("99999999999999999999", None),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("", None),
        (None, None),
    ],
)
def test_an_id_is_ascii_digits_within_the_databases_integer(raw, expected):
    assert params.parse_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-03", datetime.date(2026, 12, 3)),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("2026-02-30", None),
        ("２０２６-01-01", None),
        ("yesterday", None),
    ],
)
def test_a_date_is_iso_and_within_the_years_the_app_knows(raw, expected):
    assert params.parse_date(raw) == expected


def test_a_keyword_keeps_ten_words_and_a_hundred_characters():
    assert params.clean_keyword(" ".join(["整改"] * 1000)) == " ".join(["整改"] * 10)
    assert len(params.clean_keyword("长" * 5000)) == params.MAX_KEYWORD_LENGTH
    assert params.clean_keyword("  党建\x00  责任 ") == "党建 责任"


def test_reading_from_a_query_treats_bad_values_as_absent_and_requiring_refuses_them_in_chinese():
    query = QueryDict("org=²&id=3&id=x&id=4&date_to=0001-01-01&page=5")
    assert params.read_id(query, "org") is None
    assert params.read_ids(query, "id") == [3, 4]
    assert params.read_date(query, "date_to") is None
    assert params.read_int(query, "page", minimum=1, maximum=100) == 5
    with pytest.raises(params.BadParameter) as refused:
        params.require_id(query, "org", label="党组织")
    assert refused.value.message == "请选择党组织。"


class _Filter(forms.Form):
    day = params.BoundedDateField(required=False)
    item = params.IdField(required=False)
    q = params.KeywordField(required=False)


def test_the_form_fields_answer_bad_values_with_chinese_errors():
    form = _Filter({"day": "0001-01-01", "item": "²", "q": "a " * 50})
    assert not form.is_valid()
    assert form.errors["day"] == ["日期应在 1900-01-01 至 2199-12-31 之间。"]
    assert form.errors["item"] == ["请选择有效的选项。"]
    assert "q" not in form.errors
    assert _Filter({"q": "a " * 50}).is_valid()


def test_free_text_read_by_a_view_loses_nul_and_is_bounded():
    from django.http import QueryDict

    from partyreview.common.params import read_text, read_texts

    data = QueryDict("a=%00x%00&m=one&m=&m=%20two%20&long=" + "x" * 50)
    assert read_text(data, "a") == "x"
    assert read_text(data, "missing") == ""
    assert read_texts(data, "m") == ["one", "two"]
    assert read_text(data, "long", max_length=10) == "x" * 10
