from django.urls import path

from partyreview.accounts import views

app_name = "accounts"
urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read"),
]
