from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "partyreview.dashboards"
    verbose_name = "整改看板"
