"""The all-or-nothing writer: a clean plan becomes findings, measures, their first notes and history, in one
transaction and in bulk.

Why not ``finding_file`` per finding, as the import did before: 5,000 findings with 12,500 measures took
209 s that way (a dozen queries a measure: locks, numbering, a membership check, one history row and one
notification each). Here every kind of row is one bulk insert per batch, and the rules those services
enforce one at a time are checked once for the whole plan, against the database as it is inside the
transaction (docs/decisions/import-format.md lists each rule and where it is held):

- the actor is staff over the inspecting organisation and every finding's organisation (``can_import_findings``
  and the scope of ``finding_create``); each organisation lies within the inspection;
- each assignee belongs to the measure's organisation or below it (``rectification_create``); every
  category is still in use (the plan may be minutes old: the worker writes the one the confirmation checked);
- no deadline lies before the problem's date; every finding has at least one measure;
- 序号 are unique in the inspection and duplicates (same organisation, same problem text) are left out,
  re-checked under the inspection's row lock so two imports at once cannot both write one problem;
- history rows carry the actor and a reason (录入问题 / 创建整改措施 / 导入：台账记载已完成，待审核);
- the cached figures' generations are bumped (bulk inserts send no signals), reminders need no planning
  (the sweep reads ``due_date`` and ``warn_from``, both written here as ``rectification_create`` does);
- notifications go after the commit, one per person for the whole import, not one per measure.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from partyreview.accounts.models import Role, User
from partyreview.accounts.services import NewNotification, notification_create_many
from partyreview.common import generations
from partyreview.common.dates import local_today
from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Category, Finding, FindingSource, Inspection
from partyreview.intake.plan import FindingPlan, Plan
from partyreview.organizations.models import Membership, Organization
from partyreview.organizations.permissions import has_role_over
from partyreview.rectifications.models import (
    ProgressKind,
    ProgressUpdate,
    Rectification,
    RectificationKind,
    RectificationStatus,
    ReportCadence,
)
from partyreview.rectifications.services import (
    compute_warn_from,
    first_report_due,
    measure_deadlines,
    set_report_due,
)

BATCH = 1000
# The topics whose cached figures count findings and measures (common/generations.py).
TOPICS = ("dashboard", "records")
IMPORTED_NOTE = "（据导入台账）"
# The history's reasons, as the services record them one at a time.
FINDING_REASON = "录入问题"
MEASURE_REASON = "创建整改措施"
SUBMITTED_REASON = "导入：台账记载已完成，待审核"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    findings_created: int
    measures_created: int
    findings_skipped: int

    def __str__(self) -> str:
        text = f"新建问题 {self.findings_created} 个、整改措施 {self.measures_created} 项"
        if self.findings_skipped:
            text += f"，{self.findings_skipped} 个问题已存在，跳过"
        return text


def _refuse_unless_allowed(actor: User, inspection: Inspection, findings: list[FindingPlan]) -> None:
    if not has_role_over(actor, inspection.inspecting_org, {Role.STAFF}) or inspection.is_archived:
        raise ActionRefused("您无权向该检查导入问题清单。")
    orgs = {f.organization.pk: f.organization for f in findings}
    fresh = {o.pk: o for o in Organization.objects.filter(pk__in=orgs)}
    for pk in orgs:
        org = fresh.get(pk)
        if org is None or not org.is_active:
            raise ActionRefused(f"党组织“{orgs[pk]}”已不存在或已停用，未导入任何数据。")
        if not org.is_within(inspection.inspecting_org) or not has_role_over(actor, org, {Role.STAFF}):
            raise ActionRefused(f"党组织“{org}”不在本次检查或您的管理范围内，未导入任何数据。")
    categories = {f.category.pk: f.category for f in findings}
    in_use = set(Category.objects.filter(pk__in=categories, is_active=True).values_list("pk", flat=True))
    for pk, category in categories.items():
        if pk not in in_use:
            raise ActionRefused(f"问题类别“{category}”已停用，未导入任何数据。")
    people = {m.assignee.pk for f in findings for m in f.measures}
    paths: dict[int, list[str]] = defaultdict(list)
    for user_id, path in Membership.objects.filter(user_id__in=people, user__is_active=True).values_list(
        "user_id", "organization__path"
    ):
        paths[user_id].append(path)
    for finding in findings:
        if not finding.measures:
            raise ActionRefused(f"第{finding.row}行：每个问题至少需要一项整改措施，未导入任何数据。")
        org = fresh[finding.organization.pk]
        for measure in finding.measures:
            if not any(p.startswith(org.path) for p in paths[measure.assignee.pk]):
                raise ActionRefused(f"第{measure.row}行：责任人“{measure.assignee}”不属于“{org}”，未导入任何数据。")
            if measure.due_date < finding.found_on:
                raise ActionRefused(f"第{measure.row}行：整改时限不能早于问题发现日期，未导入任何数据。")


def findings_import_plan(
    *, actor: User, inspection: Inspection, plan: Plan, progress: Progress | None = None
) -> ImportResult:
    """Write a clean plan, all or nothing (see the module's docstring). ``progress(done, total)`` is told
    after each batch of findings, so a worker can show how far it has come."""
    if plan.errors:
        raise ActionRefused(f"文件中有 {len(plan.errors)} 处错误，未导入任何数据。请修改后重新上传。")
    progress = progress or (lambda done, total: None)
    with transaction.atomic():
        Inspection.objects.select_for_update().filter(pk=inspection.pk).first()
        findings = _still_new(inspection, plan.findings)
        skipped = len(plan.skipped) + len(plan.findings) - len(findings)
        _refuse_unless_allowed(actor, inspection, findings)
        total = len(findings)
        progress(0, total)
        created_measures: Written = []
        for start in range(0, total, BATCH):
            chunk = findings[start : start + BATCH]
            created_measures.extend(_write_chunk(actor, inspection, chunk))
            progress(min(start + BATCH, total), total)
        _add_inspected(inspection, {f.organization for f in findings})
        for topic in TOPICS:
            generations.bump(topic)
        transaction.on_commit(lambda: _notify(actor, inspection, created_measures))
    return ImportResult(findings_created=total, measures_created=len(created_measures), findings_skipped=skipped)


def _norm(text: str) -> str:
    return "".join(text.split())


def _still_new(inspection: Inspection, findings: list[FindingPlan]) -> list[FindingPlan]:
    """Under the lock: leave out what another import wrote since the plan was made, and renumber 序号
    another import took meanwhile."""
    existing = Finding.objects.filter(inspection=inspection)
    contents = {(org, _norm(text)) for org, text in existing.values_list("organization_id", "description")}
    used = set(existing.values_list("sequence", flat=True))
    fresh = [f for f in findings if (f.organization.pk, _norm(f.description)) not in contents]
    last = max(used | {f.sequence for f in fresh}, default=0)
    for finding in fresh:
        if finding.sequence in used:
            last += 1
            finding.sequence = last
        used.add(finding.sequence)
    return fresh


Written = list[tuple[Rectification, FindingPlan]]


def _write_chunk(actor: User, inspection: Inspection, chunk: list[FindingPlan]) -> Written:
    # Related rows by their ids: setting an object costs a descriptor and a check per field and row.
    finding_rows = []
    for item in chunk:
        finding = Finding(
            inspection=inspection,
            sequence=item.sequence,
            organization_id=item.organization.pk,
            category_id=item.category.pk,
            severity=item.severity,
            description=item.description.strip(),
            basis=item.basis.strip(),
            found_on=item.found_on,
            source=FindingSource.IMPORT,
            created_by_id=actor.pk,
        )
        finding_rows.append(finding)
    finding_rows = Finding.objects.bulk_create(finding_rows, batch_size=BATCH)
    _record_history(Finding, [f.pk for f in finding_rows], actor=actor, reason=FINDING_REASON)

    today = local_today()
    now = timezone.now()
    measures: list[tuple[Rectification, FindingPlan]] = []
    for finding, item in zip(finding_rows, chunk, strict=True):
        for number, m in enumerate(item.measures, start=1):
            submitted = m.status == RectificationStatus.SUBMITTED
            # 整改时限 by kind, by the rule rectification_create applies: a 长期坚持 row's date is its stage
            # goal, and it reports at the ledger's cadence (每季度末), quarterly where the ledger names none.
            cadence = (m.cadence or ReportCadence.QUARTERLY) if m.kind == RectificationKind.LONG_TERM else ""
            deadlines = measure_deadlines(
                finding=finding, kind=m.kind, due_date=m.due_date, report_cadence=cadence, start=today
            )
            r = Rectification(
                finding_id=finding.pk,
                number=number,
                measure=m.measure,
                kind=m.kind,
                responsible_org_id=item.organization.pk,
                responsible_leader_id=m.responsible_leader.pk if m.responsible_leader else None,
                assignee_id=m.assignee.pk,
                department=m.department,
                named_assignee=m.named_assignee,
                due_date=deadlines.due_date,
                original_due_date=deadlines.due_date,
                warn_from=compute_warn_from(min(today, deadlines.due_date), deadlines.due_date),
                stage_due_date=deadlines.stage_due_date,
                report_cadence=deadlines.report_cadence,
                status=m.status,
                # A ledger's 已完成 is the assignee's claim, recorded as their request to close: staff review
                # it like any other (and the importer is not its submitter, so may close it).
                submitted_at=now if submitted else None,
                submitted_by_id=m.assignee.pk if submitted else None,
                submission_summary=f"{IMPORTED_NOTE}{m.progress_note}" if submitted else "",
                created_by_id=actor.pk,
            )
            if cadence:
                set_report_due(r, first_report_due(today, cadence))
            measures.append((r, item))
    rows = Rectification.objects.bulk_create([r for r, _ in measures], batch_size=BATCH)
    _record_history(
        Rectification,
        [r.pk for r in rows],
        actor=actor,
        reason=MEASURE_REASON,
        reason_if_submitted=SUBMITTED_REASON,
    )
    notes = [
        ProgressUpdate(
            rectification_id=r.pk,
            kind=ProgressKind.SUBMISSION if m.status == RectificationStatus.SUBMITTED else ProgressKind.PROGRESS,
            note=f"{IMPORTED_NOTE}{m.progress_note}",
            author_id=actor.pk,
        )
        for r, m in zip(rows, (m for item in chunk for m in item.measures), strict=True)
        if m.progress_note
    ]
    ProgressUpdate.objects.bulk_create(notes, batch_size=BATCH)
    return list(zip(rows, (item for _, item in measures), strict=True))


def _record_history(
    model: type[models.Model],
    pks: list[int],
    *,
    actor: User,
    reason: str,
    reason_if_submitted: str | None = None,
) -> None:
    """The "created" history row of each new row, copied by the database from the row just inserted
    (``INSERT … SELECT``), as ``bulk_create_with_history`` would write it from Python: every tracked column,
    the actor, one time, the reason (another for a measure written as submitted), type "+".

    The copy is what made the writer slow: building a historical object per row in Python and sending every
    value again cost as much as the rows themselves (docs/performance.md, "The import")."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in history.tracked_fields]
    extra = [quote(history._meta.get_field(f).column) for f in ("history_date", "history_user")]
    extra += [quote(history._meta.get_field(f).column) for f in ("history_change_reason", "history_type")]
    target, source, pk = quote(history._meta.db_table), quote(model._meta.db_table), quote(model._meta.pk.column)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    # A statement's parameters are limited on some databases (SQLite: 999 by Django's reckoning).
    size = min(BATCH, (connection.features.max_query_params or BATCH) - 10)
    for start in range(0, len(pks), size):
        chunk = pks[start : start + size]
        params: list[object] = [now, actor.pk]
        if reason_if_submitted is None:
            why = "%s"
            params.append(reason)
        else:
            why = f"CASE WHEN {quote('status')} = %s THEN %s ELSE %s END"
            params += [RectificationStatus.SUBMITTED, reason_if_submitted, reason]
        params += ["+", *chunk]
        # Only names from the models' own meta and placeholders go into the text; every value is a parameter.
        insert = f"INSERT INTO {target} ({', '.join(columns + extra)})"
        copy = f"SELECT {', '.join(columns)}, %s, %s, {why}, %s FROM {source}"  # noqa: S608
        where = f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))}) ORDER BY {pk}"
        sql = f"{insert} {copy} {where}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _add_inspected(inspection: Inspection, organizations: set[Organization]) -> None:
    # add() records the inspection's history, so only once and only for organisations not yet there.
    present = set(inspection.inspected_orgs.values_list("pk", flat=True))
    missing = [o for o in organizations if o.pk not in present]
    if missing:
        inspection.inspected_orgs.add(*missing)


def _notify(actor: User, inspection: Inspection, measures: Written) -> None:
    """One notification per person for the whole import: assignees and the secretaries of the
    organisations concerned learn how many new measures are theirs; the inspection's owners learn how many
    imported measures await their review."""
    concerned: dict[int, set[int]] = defaultdict(set)
    by_org: dict[int, set[int]] = defaultdict(set)
    submitted = 0
    for r, _ in measures:
        concerned[r.assignee_id].add(r.pk)
        by_org[r.responsible_org_id].add(r.pk)
        submitted += r.status == RectificationStatus.SUBMITTED
    for user_id, org_id in Membership.objects.filter(
        role=Role.SECRETARY, organization_id__in=by_org, user__is_active=True
    ).values_list("user_id", "organization_id"):
        concerned[user_id] |= by_org[org_id]
    assigned = {user_id: len(ids) for user_id, ids in concerned.items()}
    active = set(User.objects.filter(pk__in=assigned, is_active=True).values_list("pk", flat=True))
    url = reverse("rectifications:list") + f"?inspection={inspection.pk}"
    notices = [
        NewNotification(
            recipient_id=user_id,
            kind="assigned",
            title=f"新的整改任务：{inspection.title}",
            body=f"导入问题清单，新增 {count} 项整改措施由您或您的支部负责。",
            url=url,
        )
        for user_id, count in assigned.items()
        if user_id in active and user_id != actor.pk
    ]
    if submitted:
        for owner in inspection.owners.filter(is_active=True).exclude(pk=actor.pk):
            notices.append(
                NewNotification(
                    recipient_id=owner.pk,
                    kind="submitted",
                    title=f"待审核：{inspection.title}",
                    body=f"导入的台账中有 {submitted} 项整改措施记载为已完成，等待审核销号。",
                    url=url,
                )
            )
    notification_create_many(notifications=notices)
