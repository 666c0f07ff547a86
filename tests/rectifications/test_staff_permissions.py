"""Who may take each staff action, as a table: persona × measure in A1 or in B1 × action.

In scope but not staff → 403 and nothing changes; out of scope → 404, the same as a missing measure.
Alice covers the committee, Gina general branch A (A1, not B1); Leo and Lena lead; Sam is A1's secretary,
Sara B1's; Mike is A1's assignee; Nobody holds no role.
"""

import pytest
from django.urls import reverse

from partyreview.rectifications.models import Rectification

OK, DENIED, MISSING = 302, 403, 404

# (persona, branch) → expected answer when that persona posts a staff action on a measure there.
TABLE = [
    ("alice", "a1", OK),
    ("alice", "b1", OK),
    ("gina", "a1", OK),
    ("gina", "b1", MISSING),
    ("leo", "a1", DENIED),
    ("lena", "a1", DENIED),
    ("lena", "b1", MISSING),
    ("sam", "a1", DENIED),
    ("sam", "b1", MISSING),
    ("sara", "a1", MISSING),
    ("mike", "a1", DENIED),
    ("nobody", "a1", MISSING),
]

# action → (state the measure is put in, the POST that performs it)
ACTIONS = {
    "close": ("submitted", {"text": "核查属实"}),
    "return": ("submitted", {"text": "材料不全"}),
    "reopen": ("closed", {"text": "回头看发现反弹"}),
    "update": ("pending", {"measure": "改过的措施", "kind": "deadline", "due_date": "2099-01-01", "reason": ""}),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("persona", "branch", "expected"), TABLE)
def test_staff_actions_by_role_and_scope(world, client_for, action, persona, branch, expected):
    state, data = ACTIONS[action]
    r = world.rectification(getattr(world, branch), state=state)
    before = (r.status, r.measure, r.version, r.history.count())
    data = {**data, "version": r.version}
    if action == "update":
        data["assignee"] = r.assignee_id

    response = client_for(getattr(world, persona)).post(reverse(f"rectifications:{action}", args=[r.pk]), data)

    assert response.status_code == expected
    after = Rectification.objects.get(pk=r.pk)
    if expected != OK:
        assert (after.status, after.measure, after.version, after.history.count()) == before


@pytest.mark.parametrize(("persona", "branch", "expected"), TABLE)
def test_reading_a_measure_by_role_and_scope(world, client_for, persona, branch, expected):
    r = world.rectification(getattr(world, branch))

    response = client_for(getattr(world, persona)).get(reverse("rectifications:detail", args=[r.pk]))

    # Everyone in scope reads the detail page; only the answer for outsiders differs.
    assert response.status_code == (MISSING if expected == MISSING else 200)
