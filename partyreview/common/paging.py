"""Pagination that stays cheap deep into a long list."""

from collections.abc import Callable

from django.core import paginator
from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils.functional import cached_property


class Paginator(paginator.Paginator):
    """Django's, with the total counted by ``count`` when given (a cached count, say) rather than by
    ``object_list.count()``."""

    def __init__(
        self, object_list: QuerySet, per_page: int, *, count: Callable[[QuerySet], int] | None = None, **kwargs
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.counter = count

    @cached_property
    def count(self) -> int:
        if self.counter is None:
            return super().count
        return self.counter(self.object_list)


class IdsFirstPaginator(Paginator):
    """Cuts a page out of the filtered, ordered ids alone, then loads that page's rows with their joins.

    A list row joins half a dozen tables (select_related); with ``LIMIT 50 OFFSET 7450`` the database
    joins all 7,500 rows it skips. Here the offset runs over the filtered table alone (often an index
    only), and ``rows`` (the list's select_related and annotations) over the page's ids, given as a
    list: one query more, but the second is planned from 50 primary keys. Given as a subquery instead
    (``id IN (SELECT … LIMIT 50)``), PostgreSQL joined every row of the table before the semi-join
    once the joins passed its collapse limit. The ordering must be total (end in ``id``) so that both
    queries agree on the rows of a page.
    """

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        rows: Callable[[QuerySet], QuerySet],
        count: Callable[[QuerySet], int] | None = None,
    ) -> None:
        super().__init__(object_list, per_page, count=count)
        self.rows = rows

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        filtered: QuerySet = self.object_list
        ids = list(filtered.values_list("pk", flat=True)[bottom:top])
        ordering = filtered.query.order_by or filtered.model._meta.ordering
        page_rows = self.rows(filtered.model._default_manager.filter(pk__in=ids)).order_by(*ordering)
        return self._get_page(page_rows, number, self)
