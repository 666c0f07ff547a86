from partyreview.rectifications.models import RectificationStatus


def test_world_builds_measures_in_every_state(world):
    for state in ("pending", "in_progress", "submitted", "returned", "closed"):
        r = world.rectification(state=state)
        assert r.status == getattr(RectificationStatus, state.upper())
