"""Form widgets with no domain in them."""

import html

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString

from partyreview.common import generations
from partyreview.common.params import parse_id


def _escape(text: object) -> str:
    """conditional_escape without its lazy-string wrapper: the same text, a third of the time."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class FastSelect(forms.Select):
    """A plain <select> whose options are written in Python rather than through one template each.

    Django renders every <option> through its own template, about half a millisecond apiece: a filter
    offering a thousand organisations and a thousand inspections spent over a second there, most of the
    list page's time at committee scale (docs/performance.md). Same markup as forms.Select for flat
    choices; grouped choices fall back to it.

    When the choices come from a queryset and their field names a generation topic (``options_topic``,
    ``common.generations``), the options are kept in the shared cache under the queryset's SQL until the
    topic changes: a committee's two menus were still 25 ms of every list page and dashboard.
    """

    def render(self, name: str, value: object, attrs: dict | None = None, renderer: object | None = None) -> SafeString:
        options = generations.remembered(self._options_key(), self._options)
        if options is None:
            return super().render(name, value, attrs, renderer)
        for selected in dict.fromkeys(str(v) for v in self.format_value(value)):
            unmarked = f'<option value="{_escape(selected)}">'
            options = options.replace(unmarked, f"{unmarked[:-1]} selected>", 1)
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        return format_html("<select{}>{}</select>", flatatt(final_attrs), SafeString(options))

    def _options(self) -> str | None:
        """Every option, none selected; None for grouped choices."""
        # Through iter(): list() asks a ModelChoiceIterator for its length first, a COUNT query of its own.
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return None
        # Escaped as format_html would, without its per-call overhead (2,300 options a page).
        return "".join(
            f'<option value="{_escape("" if option is None else option)}">{_escape(label)}</option>'
            for option, label in choices
        )

    def _options_key(self) -> str | None:
        field = getattr(self.choices, "field", None)
        topic = getattr(field, "options_topic", None)
        if topic is None:
            return None
        query = generations.query_parts(self.choices.queryset)
        if query is None:  # no options to keep: nothing is asked of the database either
            return None
        return generations.entry_key(topic, ["options", type(field).__qualname__, field.empty_label, *query])


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


class SearchSelect(forms.Select):
    """A <select> that holds only the chosen option; a search box (static/js/person_picker.js) finds others.

    For model choices among thousands (a 责任人 among a committee's people): rendering every option would
    send them all with each form, and nobody scrolls through them. The field still validates the value
    against its whole queryset, so a value from anywhere else is refused as usual. The ``data-*``
    attributes tell the script where to search.
    """

    template_name = "django/forms/widgets/select.html"

    def optgroups(self, name: str, value: list, attrs: dict | None = None) -> list:
        chosen = [v for v in value if v not in ("", None)]
        choices = self.choices
        kept: list[tuple[object, str]] = []
        if getattr(choices, "field", None) is not None and choices.field.empty_label is not None:
            kept.append(("", choices.field.empty_label))
        queryset = getattr(choices, "queryset", None)
        if queryset is not None and chosen:
            # A redisplayed form carries whatever was posted: only real ids reach the query (params.parse_id).
            pks = [pk for pk in (parse_id(c) for c in chosen) if pk is not None]
            kept.extend((obj.pk, choices.field.label_from_instance(obj)) for obj in queryset.filter(pk__in=pks))
        groups = []
        selected = {str(v) for v in chosen}
        for index, (option_value, label) in enumerate(kept):
            option = self.create_option(name, option_value, label, str(option_value) in selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups
