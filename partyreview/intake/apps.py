from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "partyreview.intake"
    verbose_name = "问题导入"
