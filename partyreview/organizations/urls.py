from django.urls import path

from partyreview.organizations import views

app_name = "organizations"
urlpatterns = [
    path("people/search/", views.person_search, name="person_search"),
    path("", views.organization_list, name="list"),
    path("<int:pk>/", views.organization_change, name="change"),
    path("import/organizations/", views.import_tree, name="import_tree"),
    path("import/people/", views.import_people, name="import_people"),
]
