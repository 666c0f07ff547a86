"""Reading ids, numbers, dates and keywords from a request: the one way, with one set of limits.

A URL is typed by anyone, so every value read from ``request.GET`` / ``request.POST`` may be hostile.
The forms that once broke show what to guard against:

- ``"²".isdigit()`` is True but ``int("²")`` fails: only ASCII digits make an id;
- ``99999999999999999999`` overflows PostgreSQL's bigint and SQLite's integer: ids stop at 2**63 − 1;
- ``0001-01-01`` is a valid date whose arithmetic (the day before, a week before) overflows: dates are
  accepted between 1900 and 2199 only, which holds every deadline a committee sets;
- a keyword of 1,000 words became 1,000 ``LIKE`` conditions: keywords are cut to 100 characters and
  10 words.

Filters read with ``read_*`` treat a bad value as absent (a list shows everything, a bookmark with a typo
still opens); ``require_*`` answers it with ``BadParameter`` and a Chinese message, which Django turns
into the 400 page. Forms use the fields below, which give the same answers as
form errors.
"""

import datetime
import re

from django import forms
from django.core.exceptions import BadRequest
from django.http import QueryDict

# PostgreSQL bigint and SQLite INTEGER both stop here.
MAX_ID = 2**63 - 1
# Dates a person can mean in this application; outside, date arithmetic may overflow.
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2199, 12, 31)
MAX_KEYWORD_LENGTH = 100
MAX_KEYWORD_WORDS = 10

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


class BadParameter(BadRequest):
    """A request parameter that cannot mean anything. The message is Chinese and safe to show: Django
    answers it with the 400 page (templates/400.html), which shows it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_id(value: object) -> int | None:
    """The id written in ``value``, or None if it is not one (ASCII digits, 1 … 2**63 − 1)."""
    text = str(value).strip() if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_int(value: object, *, minimum: int, maximum: int) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"-?[0-9]{1,19}", text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def parse_date(value: object) -> datetime.date | None:
    """An ISO date (YYYY-MM-DD) between MIN_DATE and MAX_DATE, or None."""
    text = str(value).strip() if value is not None else ""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", text):
        return None
    try:
        day = datetime.date(*(int(part) for part in text.split("-")))
    except ValueError:
        return None
    return day if MIN_DATE <= day <= MAX_DATE else None


def clean_keyword(value: object) -> str:
    """A search keyword bounded in length and in words (each word is one more condition on the query)."""
    text = str(value or "").replace("\x00", "")[:MAX_KEYWORD_LENGTH]
    return " ".join(text.split()[:MAX_KEYWORD_WORDS])


def read_id(data: QueryDict, name: str) -> int | None:
    """The id in ``data[name]``; None when absent or not an id."""
    return parse_id(data.get(name))


def read_ids(data: QueryDict, name: str) -> list[int]:
    """Every valid id among the values of ``name`` (a form's checkboxes); the others are ignored."""
    return [number for number in (parse_id(v) for v in data.getlist(name)) if number is not None]


def read_int(data: QueryDict, name: str, *, minimum: int = 0, maximum: int = 10**9) -> int | None:
    return parse_int(data.get(name), minimum=minimum, maximum=maximum)


def read_date(data: QueryDict, name: str) -> datetime.date | None:
    return parse_date(data.get(name))


def read_keyword(data: QueryDict, name: str = "q") -> str:
    return clean_keyword(data.get(name))


def read_text(data: QueryDict, name: str, *, max_length: int = 2000) -> str:
    """Free text a view reads itself: stripped, without NUL (which PostgreSQL refuses to store), bounded."""
    texts = read_texts(data, name, max_length=max_length)
    return texts[0] if texts else ""


def read_texts(data: QueryDict, name: str, *, max_length: int = 2000) -> list[str]:
    """Every non-empty value of ``name``, each as ``read_text`` reads one."""
    texts = (str(v).replace("\x00", "").strip()[:max_length] for v in data.getlist(name))
    return [text for text in texts if text]


def require_id(data: QueryDict, name: str, *, label: str) -> int:
    """The id in ``data[name]``, or BadParameter("请选择{label}。") — a 400 with the Chinese page."""
    number = read_id(data, name)
    if number is None:
        raise BadParameter(f"请选择{label}。")
    return number


# ---- Form fields: the same limits where a form reads the request -------------------------------------


class IdField(forms.IntegerField):
    """An id typed into a URL: ASCII digits within the database's integer range."""

    default_error_messages = {"invalid": "请选择有效的选项。"}

    def to_python(self, value: object) -> int | None:
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class BoundedDateField(forms.DateField):
    """A date between MIN_DATE and MAX_DATE, so that no arithmetic on it can overflow."""

    def to_python(self, value: object) -> datetime.date | None:
        day = super().to_python(value)
        if day is not None and not MIN_DATE <= day <= MAX_DATE:
            raise forms.ValidationError(
                f"日期应在 {MIN_DATE:%Y-%m-%d} 至 {MAX_DATE:%Y-%m-%d} 之间。", code="out_of_range"
            )
        return day


class KeywordField(forms.CharField):
    """A search keyword: bounded in length and in words, never a thousand LIKE conditions."""

    def to_python(self, value: object) -> str:
        return clean_keyword(super().to_python(value))


class BoundedIdsMixin:
    """For ModelMultipleChoiceField: ids outside the database's integer range are invalid choices, not an
    OverflowError from SQLite (or a DataError from PostgreSQL) in the ``pk__in`` lookup."""

    def _check_values(self, value: object) -> object:
        for raw in value or []:
            if parse_id(raw) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": raw}
                )
        return super()._check_values(value)


class BoundedModelMultipleChoiceField(BoundedIdsMixin, forms.ModelMultipleChoiceField):
    """A ModelForm's many-to-many field (``Meta.field_classes``) with ids bounded as above."""
