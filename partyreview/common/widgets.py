"""Form widgets with no domain in them."""

import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString


def _escape(text: object) -> str:
    """conditional_escape without its lazy-string wrapper: the same text, a third of the time."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class FastSelect(forms.Select):
    """A plain <select> whose options are written in Python rather than through one template each.

    Django renders every <option> through its own template, about half a millisecond apiece: a filter
    offering a thousand organisations and a thousand inspections spent over a second there, most of the
    list page's time at committee scale (docs/performance.md). Same markup as forms.Select for flat
    choices; grouped choices fall back to it.
    """

    def render(self, name: str, value: object, attrs: dict | None = None, renderer: object | None = None) -> SafeString:
        # Through iter(): list() asks a ModelChoiceIterator for its length first, a COUNT query of its own.
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        parts = []
        for option, label in choices:
            # Escaped as format_html would, without its per-call overhead (2,300 options a page).
            value_text = "" if option is None else str(option)
            mark = " selected" if value_text in selected else ""
            parts.append(f'<option value="{_escape(value_text)}"{mark}>{_escape(label)}</option>')
        options = SafeString("".join(parts))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class ValuesChoiceIterator(ModelChoiceIterator):
    """A model field's choices read as ``(pk, label)`` rows, without a model instance per option.

    A filter offering a committee's 1,051 organisations and 1,250 inspections built 2,300 instances a
    page for an id and a name each (a fifth of a list page's time). For fields that name the columns
    of their label (``label_fields``) and build it from them (``label_from_values``), as their
    ``label_from_instance`` does from an instance; other fields are iterated as Django does.
    """

    def __iter__(self):
        label_fields = getattr(self.field, "label_fields", None)
        if label_fields is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, *values in self.queryset.values_list("pk", *label_fields):
            yield (pk, self.field.label_from_values(*values))
