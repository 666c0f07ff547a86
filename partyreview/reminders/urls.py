from django.urls import path

from partyreview.reminders import views

app_name = "reminders"
urlpatterns = [
    path("status/", views.reminder_status, name="status"),
]
