from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "partyreview.dashboards"
    verbose_name = "整改看板"

    def ready(self) -> None:
        from partyreview.common import generations
        from partyreview.dashboards.cache import COUNTED_MODELS, TOPIC

        # Any change to what the dashboard counts retires its cached figures (cache.py).
        generations.watch(TOPIC, [self.apps.get_model(label) for label in COUNTED_MODELS])
