from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "partyreview.accounts"
    verbose_name = "用户与通知"
