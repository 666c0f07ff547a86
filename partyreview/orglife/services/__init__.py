"""Every write of organisational life goes through here: meeting records, the roster, the dues ledger and
terms (``records``), the nightly rule check and the staff's decisions on its suggestions (``checks``)."""

from partyreview.orglife.services.checks import (
    AUTO_INSPECTION_TITLE,
    CheckResult,
    auto_inspection,
    breach_confirm,
    breach_dismiss,
    default_due_date,
    org_life_check,
)
from partyreview.orglife.services.records import (
    MAX_MONTHS_AT_ONCE,
    ImportResult,
    default_dues_from,
    dues_import,
    dues_record,
    meeting_record,
    meeting_update,
    meeting_void,
    member_create,
    member_update,
    members_import,
    require_text,
    term_extension_record,
    term_record_election,
)

__all__ = [
    "AUTO_INSPECTION_TITLE",
    "MAX_MONTHS_AT_ONCE",
    "CheckResult",
    "ImportResult",
    "auto_inspection",
    "breach_confirm",
    "breach_dismiss",
    "default_due_date",
    "default_dues_from",
    "dues_import",
    "dues_record",
    "meeting_record",
    "meeting_update",
    "meeting_void",
    "member_create",
    "member_update",
    "members_import",
    "org_life_check",
    "require_text",
    "term_extension_record",
    "term_record_election",
]
