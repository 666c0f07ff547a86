from django.urls import path

from partyreview.organizations import views

app_name = "organizations"
urlpatterns = [
    path("people/search/", views.person_search, name="person_search"),
]
