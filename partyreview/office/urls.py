from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import RedirectView

from partyreview.office import views

app_name = "office"
urlpatterns = [
    # The import moved to /intake/; bookmarks and links of the old addresses land on the same pages (the
    # page they reach checks who may see it).
    path(
        "import/", login_required(RedirectView.as_view(pattern_name="intake:start", query_string=True)), name="import"
    ),
    path(
        "import/template.xlsx",
        login_required(RedirectView.as_view(pattern_name="intake:template", query_string=True)),
        name="import_template",
    ),
    path(
        "import/<int:pk>/", login_required(RedirectView.as_view(pattern_name="intake:preview")), name="import_preview"
    ),
    # 整改台账 export: takes the same query string as /rectifications/.
    path("register.xlsx", views.register_export, name="register_export"),
    # The same register laid out for paper: titled, dated, bordered, landscape.
    path("register/print/", views.register_print, name="register_print"),
    # 我的导出: registers too large for a web request, written by the worker; each visible to its owner only.
    path("exports/", views.export_list, name="export_list"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    # 整改情况报告 of one inspection.
    path("inspections/<int:pk>/report.docx", views.inspection_report, name="inspection_report"),
]
