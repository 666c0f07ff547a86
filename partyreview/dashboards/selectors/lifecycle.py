"""How committees rectify, beside the headline: 立行立改完成率, the 长期坚持 measures kept up and those whose
period report is missing, the reviewers' 整改成效 at 销号 (实质整改 / 需持续跟进), and the findings a 回头看
found back (问题反弹).

Counted per organisation with the rest (``partials``: one grouped query, and the ids of the findings found
back, so that a finding with measures in two organisations counts once), kept apart from the headline.
"""

from dataclasses import dataclass

from partyreview.dashboards.selectors.base import share


@dataclass(frozen=True)
class LifecycleFigures:
    immediate: int
    immediate_closed: int
    kept_up: int
    stage_closed: int
    report_missing: int
    substantive: int
    follow_up: int
    relapsed_findings: int

    @property
    def immediate_rate(self) -> float | None:
        """立行立改完成率: closed 立行立改 measures / all 立行立改 measures."""
        return share(self.immediate_closed, self.immediate)

    @property
    def substantive_rate(self) -> float | None:
        """实质整改 among the closures the reviewer rated."""
        return share(self.substantive, self.substantive + self.follow_up)
