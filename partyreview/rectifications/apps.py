from django.apps import AppConfig


class RectificationsConfig(AppConfig):
    name = "partyreview.rectifications"
    verbose_name = "整改"
