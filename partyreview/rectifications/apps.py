from django.apps import AppConfig


class RectificationsConfig(AppConfig):
    name = "partyreview.rectifications"
    verbose_name = "整改"

    def ready(self) -> None:
        from partyreview.common import generations
        from partyreview.rectifications.counts import COUNTED_MODELS, TOPIC

        # Any change to what the lists count retires their cached counts (counts.py).
        generations.watch(TOPIC, [self.apps.get_model(label) for label in COUNTED_MODELS])
