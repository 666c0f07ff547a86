from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "partyreview.organizations"
    verbose_name = "党组织"
