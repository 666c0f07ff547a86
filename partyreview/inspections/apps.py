from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "partyreview.inspections"
    verbose_name = "检查与问题"

    def ready(self) -> None:
        from partyreview.common import generations

        # The filters' menus of organisations and inspections (``forms.OrganizationChoiceField``).
        models = [self.apps.get_model("organizations.Organization"), self.get_model("Inspection")]
        generations.watch(generations.NAMES, models)
