from django.urls import path

from partyreview.reminders import views

app_name = "reminders"
urlpatterns = [
    path("status/", views.reminder_status, name="status"),
    path("status/retry/", views.deliveries_retry, name="retry"),
    path("status/sweep/", views.sweep_run, name="sweep"),
    path("digest/<int:run_id>/", views.digest_detail, name="digest"),
    path("preferences/", views.preferences, name="preferences"),
]
