from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "partyreview.office"
    verbose_name = "导入导出"
