"""Who may fetch an export. Reading the register goes through ``rectifications_visible_to``; reading the
report through ``inspections.permissions.can_read_inspection_report``."""

from django.db.models import QuerySet

from partyreview.accounts.models import User
from partyreview.office.models import Export


def exports_of(user: User) -> QuerySet[Export]:
    """我的导出: a background export is its owner's alone. Its rows were read within the owner's scope, so
    no one else (an administrator included) may fetch it; they get 404, as for a missing one."""
    if not user.is_authenticated or not user.is_active:
        return Export.objects.none()
    return Export.objects.filter(owner=user)
