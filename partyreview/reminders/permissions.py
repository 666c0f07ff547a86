"""Who may look after the reminders: the status page, retrying failed deliveries, running a sweep."""

from partyreview.accounts.models import User
from partyreview.organizations.permissions import is_admin, is_staff


def can_manage_reminders(user: User) -> bool:
    """Staff (党务工作人员) and administrators see whether reminders work and resend what failed.

    Not scoped by organisation: the page shows runs, channels, recipients' names and errors, never the
    content of a rectification, and a broken mail server is everybody's problem.
    """
    return is_staff(user)


def can_run_sweep(user: User) -> bool:
    """Running a sweep on demand and testing a group robot are for administrators (系统管理员)."""
    return user.is_authenticated and is_admin(user)
