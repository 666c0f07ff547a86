from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "partyreview.orglife"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from partyreview.common import generations
        from partyreview.orglife.selectors import COUNTED_MODELS, GENERATION

        # Any change to what the compliance summary counts retires its cached copy (templatetags/orglife.py).
        generations.watch(GENERATION, [self.apps.get_model(label) for label in COUNTED_MODELS])
