from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "partyreview.common"
    verbose_name = "系统"
