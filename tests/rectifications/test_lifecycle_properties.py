"""Random sequences of actions by random people keep the invariants of the domain:

- a finding is closed exactly when all its measures are (in Python and in the SQL annotation);
- ``original_due_date`` never changes;
- every state change leaves a history record by the person who made it;
- a closed measure was closed by someone other than the person who asked for closure;
- the light in SQL (``light_q``, ``with_light``) is the light in Python (``current_light``), for the
  长期坚持 measure too, whose period reports, stage closure and end are among the actions.
"""

import datetime
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from partyreview.common.errors import ActionRefused
from partyreview.inspections.models import Finding
from partyreview.rectifications import services
from partyreview.rectifications.models import Rectification, RectificationKind, RectificationStatus, light_q
from partyreview.rectifications.selectors import finding_is_closed, finding_status_q, findings_with_progress
from tests.conftest import build_world
from tests.factories import pdf_upload

ACTIONS = [
    "progress",
    "submit",
    "close",
    "return",
    "reopen",
    "extend",
    "decide",
    "edit_due",
    "report_period",
    "end_long_term",
]
PEOPLE = ["alice", "gina", "sam", "mike", "sara", "leo"]

steps = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.sampled_from(PEOPLE), st.integers(0, 3), st.booleans()),
    min_size=1,
    max_size=25,
)


class LifecycleProperties(TestCase):
    def setUp(self) -> None:
        self.w = build_world()
        f1 = self.w.finding(self.w.a1, measures=2)
        f2 = self.w.finding(self.w.a1, measures=1)
        kept_up = services.rectification_create(
            actor=self.w.alice,
            finding=f2,
            measure="长期坚持",
            assignee=self.w.mike,
            due_date=None,
            kind=RectificationKind.LONG_TERM,
            report_cadence="monthly",
        )
        self.measures = [*f1.rectifications.order_by("number"), *f2.rectifications.exclude(pk=kept_up.pk), kept_up]
        self.findings = [f1, f2]
        self.originals = {r.pk: r.original_due_date for r in self.measures}

    def _apply(self, action: str, actor, r: Rectification, flag: bool) -> None:
        if action == "progress":
            services.rectification_record_progress(actor=actor, rectification=r, note="进展", files=[pdf_upload()])
        elif action == "submit":
            services.rectification_submit(actor=actor, rectification=r, summary="完成", files=[pdf_upload()])
        elif action == "close":
            services.rectification_close(actor=actor, rectification=r, note="同意")
        elif action == "return":
            services.rectification_return(actor=actor, rectification=r, reason="补充")
        elif action == "reopen":
            services.rectification_reopen(actor=actor, rectification=r, reason="反弹")
        elif action == "extend":
            services.extension_request(
                actor=actor, rectification=r, new_due_date=r.due_date + datetime.timedelta(days=7), reason="延期"
            )
        elif action == "decide":
            pending = r.extension_requests.filter(status="pending").first()
            if pending is not None:
                services.extension_decide(actor=actor, extension=pending, approve=flag, note="" if flag else "不同意")
        elif action == "report_period":
            services.rectification_report_period(actor=actor, rectification=r, note="本期落实")
        elif action == "end_long_term":
            services.rectification_end_long_term(actor=actor, rectification=r, reason="已固化")
        elif action == "edit_due":
            services.rectification_update(
                actor=actor, rectification=r, due_date=r.due_date + datetime.timedelta(days=3)
            )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps)
    def test_random_action_sequences_keep_the_invariants(self, sequence: list) -> None:
        status_changes: dict[int, int] = {r.pk: 0 for r in self.measures}
        for action, person, index, flag in sequence:
            r = Rectification.objects.get(pk=self.measures[index].pk)
            before = r.status
            try:
                self._apply(action, getattr(self.w, person), r, flag)
            except ActionRefused:
                assert Rectification.objects.get(pk=r.pk).status == before
                continue
            after = Rectification.objects.get(pk=r.pk).status
            if after != before:
                status_changes[r.pk] += 1
                latest = r.history.first()
                assert latest.status == after
                assert latest.history_user_id == getattr(self.w, person).pk

        annotated = findings_with_progress(Finding.objects.filter(pk__in=[f.pk for f in self.findings]))
        closed_in_sql = set(annotated.filter(finding_status_q("closed")).values_list("pk", flat=True))
        for finding in self.findings:
            statuses = set(finding.rectifications.values_list("status", flat=True))
            all_closed = statuses == {RectificationStatus.CLOSED}
            assert finding_is_closed(finding) == all_closed
            assert (finding.pk in closed_in_sql) == all_closed

        for r in Rectification.objects.filter(pk__in=self.originals):
            assert r.original_due_date == self.originals[r.pk]
            # History: one record for creation plus one for each change of state, at least.
            history_states = list(r.history.order_by("history_date", "history_id").values_list("status", flat=True))
            transitions = sum(1 for a, b in pairwise(history_states) if a != b)
            assert transitions == status_changes[r.pk]
            if r.status == RectificationStatus.CLOSED:
                assert r.closed_by_id is not None and r.closed_by_id != r.submitted_by_id
            if r.long_term_ended_at is not None:
                assert r.status == RectificationStatus.CLOSED
            light = Rectification.objects.with_light().get(pk=r.pk).light
            assert Rectification.objects.filter(light_q(light), pk=r.pk).exists()
            assert r.current_light == light
