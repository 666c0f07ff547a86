from django.urls import path

from partyreview.office import views

app_name = "office"
urlpatterns = [
    path("import/", views.import_start, name="import"),
]
