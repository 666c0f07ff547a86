from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "partyreview.reminders"
    verbose_name = "提醒与督办"
