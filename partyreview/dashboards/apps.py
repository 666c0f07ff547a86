from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "partyreview.dashboards"
    verbose_name = "整改看板"

    def ready(self) -> None:
        from partyreview.common import generations
        from partyreview.dashboards.cache import SHARE_MODELS, STRUCTURE_MODELS, TOPIC, watch_shares

        # A change to what names or files the figures retires them all; a finding or measure, only the
        # figures of the organisations it concerns, when it changes any (cache.py). A bulk write of either
        # retires them all (``bump_watchers``).
        generations.watch(TOPIC, [self.apps.get_model(label) for label in STRUCTURE_MODELS])
        shares = [self.apps.get_model(label) for label in SHARE_MODELS]
        generations.watch(TOPIC, shares, signals=False)
        watch_shares(shares)
