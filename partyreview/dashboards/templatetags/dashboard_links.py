"""``{% rect_url filters organization=b.pk overdue=1 %}`` and ``{% finding_url filters category=c.pk %}``:
dashboard links into the lists, keeping the dashboard's filters (see dashboards/links.py);
``{% dashboard_url filters organization=row.pk %}``, down to an organisation's own dashboard; and
``{% figures_part "name" %}…{% endfigures_part %}``, a stretch of the page drawn only from ``dash`` and
its filters, kept in the cache beside the figures (dashboards/cache.py)."""

import dataclasses
import hashlib
import re
from collections.abc import Callable

from django import template
from django.db.models import Model
from django.template.base import FilterExpression, Parser, Token
from django.utils.safestring import SafeString, mark_safe

from partyreview.dashboards import links
from partyreview.dashboards.cache import dashboard_part, figures_rows
from partyreview.dashboards.selectors import DashboardFilter

register = template.Library()

# Where the rows of a part being drawn are gathered (the template's render context), and their marks.
_ROWS = "dashboard-figures-rows"
_ROW_MARK = re.compile(r"<!--figures-row:([0-9a-f]{32})-->")


@register.simple_tag
def rect_url(filters: DashboardFilter, **params: object) -> str:
    return links.rectification_list_url(filters, **params)


@register.simple_tag
def finding_url(filters: DashboardFilter, **params: object) -> str:
    return links.finding_list_url(filters, **params)


@register.simple_tag
def dashboard_url(filters: DashboardFilter, **params: object) -> str:
    return links.dashboard_url(filters, **params)


@register.filter
def percent(value: float | None) -> str:
    """37.5 → "37.5%"; None → "—"."""
    return "—" if value is None else f"{value:.1f}%"


class FiguresPart(template.Node):
    def __init__(self, name: str, source: str, values: list[FilterExpression], nodelist: template.NodeList) -> None:
        self.name, self.source, self.values, self.nodelist = name, source, values, nodelist

    def render(self, context: template.Context) -> SafeString:
        # Only ``dash`` and ``f`` may be used inside: the HTML is shared by everyone with the same key.
        # A rendered template is a SafeString, and stays one through the cache's pickling. Drawn, it needs
        # the shown rows, which the summary a reload reads leaves out (``dash_with_lists``, the view's).
        def draw() -> SafeString:
            dashboard = context["dash"]
            if not dashboard.drawable:
                dashboard = context["dash_with_lists"]()
            rows: dict[str, Callable[[], str]] = {}
            with context.push(dash=dashboard), context.render_context.push(**{_ROWS: rows}):
                html = self.nodelist.render(context)
            if not rows:
                return html
            # The part's rows (``figures_row``) left a mark each: read them all at once, then put them in.
            drawn = figures_rows(rows)
            return mark_safe(_ROW_MARK.sub(lambda mark: drawn[mark.group(1)], html))  # noqa: S308

        dashboard = context["dash"]
        contents = None
        if self.values and dashboard.drawable:
            # Figures counted afresh: the part is found again by what it reads (named in the tag).
            contents = [self.source, context["f"], *(v.resolve(context) for v in self.values)]
        return dashboard_part(dashboard, self.name, draw, contents)


@register.tag
def figures_part(parser: Parser, token: Token) -> FiguresPart:
    """``{% figures_part "name" [value …] %}…{% endfigures_part %}``: a stretch of the page drawn only from
    ``dash`` and the filters ``f``, kept beside the figures; with values named (every value of ``dash`` the
    part reads), kept by them as well, so that figures recounted after a write draw again only the parts
    whose values changed (``cache.dashboard_part``)."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('用法：{% figures_part "名称" [值…] %}…{% endfigures_part %}')
    nodelist = parser.parse(("endfigures_part",))
    parser.delete_first_token()
    return FiguresPart(bits[1][1:-1], _source(parser, token), [parser.compile_filter(b) for b in bits[2:]], nodelist)


def _source(parser: Parser, token: Token) -> str:
    """The template's name, text and the tag's place in it: a part or row drawn by another version of the
    template is not taken for this one's."""
    text = parser.origin.loader.get_contents(parser.origin) if parser.origin and parser.origin.loader else ""
    source = hashlib.sha256(f"{parser.origin.name if parser.origin else ''}|{token.position}|{text}".encode())
    return source.hexdigest()


def _plain(value: object) -> object:
    """What a row's key is made of: records by label, id and name; filters by their parts; the rest as is."""
    if isinstance(value, Model):
        return (value._meta.label, value.pk, str(value))
    if isinstance(value, DashboardFilter):
        return tuple(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


class FiguresRow(template.Node):
    def __init__(self, source: str, values: list[FilterExpression], nodelist: template.NodeList) -> None:
        self.source, self.values, self.nodelist = source, values, nodelist

    def render(self, context: template.Context) -> SafeString:
        # Keyed on everything the row reads (named in the tag) and the template's own text: the same
        # figures draw the same HTML, whichever page or write they come from.
        values = [_plain(v.resolve(context)) for v in self.values]
        digest = hashlib.sha256(repr((self.source, values)).encode()).hexdigest()[:32]
        wanted = context.render_context.get(_ROWS)
        if wanted is None:  # not within a part being drawn
            return figures_rows({digest: lambda: self.nodelist.render(context)})[digest]
        # Within a part: a mark now, the row (kept or drawn) once the part has named all its rows. Drawn
        # then, it needs the values of this turn of the loop.
        now = context.new(context.flatten())
        wanted[digest] = lambda: self.nodelist.render(now)
        return mark_safe(f"<!--figures-row:{digest}-->")  # noqa: S308


@register.tag(name="figures_row")
def figures_row_tag(parser: Parser, token: Token) -> FiguresRow:
    """``{% figures_row f b.pk b.name … %}…{% endfigures_row %}``: a row of a table drawn only from the
    values the tag names (and the filters ``f``), kept in the cache by them (``cache.figures_rows``), so a
    write redraws only the rows whose figures it changed. Name every value the row reads."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("用法：{% figures_row 值… %}…{% endfigures_row %}")
    nodelist = parser.parse(("endfigures_row",))
    parser.delete_first_token()
    return FiguresRow(_source(parser, token), [parser.compile_filter(b) for b in bits], nodelist)
