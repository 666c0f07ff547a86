"""Form widgets with no domain in them."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
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
        parts = []
        for option, label in choices:
            # conditional_escape, as format_html would, without its per-call overhead (2,300 options a page).
            value_text = "" if option is None else str(option)
            mark = " selected" if value_text in selected else ""
            parts.append(f'<option value="{conditional_escape(value_text)}"{mark}>{conditional_escape(label)}</option>')
        options = SafeString("".join(parts))
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)
