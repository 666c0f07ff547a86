from django.urls import path

from partyreview.intake import views

app_name = "intake"
urlpatterns = [
    # 问题导入: upload (optionally ?inspection=<id>), template, preview (and its choices), confirm.
    path("", views.import_start, name="start"),
    path("template.xlsx", views.import_template, name="template"),
    path("<int:pk>/", views.import_preview, name="preview"),
    path("<int:pk>/choose/", views.import_choose, name="choose"),
    path("<int:pk>/map/", views.import_map, name="map"),
    path("<int:pk>/confirm/", views.import_confirm, name="confirm"),
]
