from django.urls import path

from partyreview.office import views

app_name = "office"
urlpatterns = [
    # 问题清单导入: upload (optionally ?inspection=<id>), template, preview, confirm.
    path("import/", views.import_start, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    # 整改台账 export: takes the same query string as /rectifications/.
    path("register.xlsx", views.register_export, name="register_export"),
    # 我的导出: registers too large for a web request, written by the worker; each visible to its owner only.
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    # 整改情况报告 of one inspection.
    path("inspections/<int:pk>/report.docx", views.inspection_report, name="inspection_report"),
]
