"""Form widgets with no domain in them."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


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
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    "" if option is None else str(option),
                    SafeString(" selected") if str("" if option is None else option) in selected else "",
                    label,
                )
                for option, label in choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
