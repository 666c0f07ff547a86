from django import forms


class ReminderPreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        label="通过电子邮件接收整改提醒",
        required=False,
        help_text="站内通知始终开启；关闭后不再收到提醒邮件。",
    )
