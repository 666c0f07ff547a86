from django.apps import AppConfig


class OrglifeConfig(AppConfig):
    name = "partyreview.orglife"
    verbose_name = "组织生活"
