from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "partyreview.inspections"
    verbose_name = "检查与问题"
