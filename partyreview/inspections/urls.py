from django.urls import path

from partyreview.inspections import views

app_name = "inspections"
urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("", views.inspection_list, name="list"),
    path("new/", views.inspection_create, name="create"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/edit/", views.inspection_update, name="update"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", views.finding_update, name="finding_update"),
    path("findings/<int:pk>/archive/", views.finding_archive, name="finding_archive"),
    path("findings/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
]
