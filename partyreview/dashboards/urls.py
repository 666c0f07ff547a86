from django.urls import path

from partyreview.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard_index, name="index"),
    path("export.xlsx", views.dashboard_export, name="export"),
    path("escalate/rectification/<int:pk>/", views.escalation_create, name="escalate_rectification"),
    path(
        "escalate/organization/<int:pk>/",
        views.escalation_create_for_organization,
        name="escalate_organization",
    ),
]
