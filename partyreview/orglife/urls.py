from django.urls import path

from partyreview.orglife.views import checks, meetings, members

app_name = "orglife"
urlpatterns = [
    # The checks: compliance of the branches in scope, one branch's page, suggestions, terms.
    path("", checks.compliance_view, name="compliance"),
    path("branches/<int:org_pk>/", checks.branch_view, name="branch"),
    path("suggestions/", checks.breach_list, name="breach_list"),
    path("suggestions/<int:pk>/", checks.breach_detail, name="breach_detail"),
    path("suggestions/<int:pk>/confirm/", checks.breach_confirm, name="breach_confirm"),
    path("suggestions/<int:pk>/dismiss/", checks.breach_dismiss, name="breach_dismiss"),
    path("terms/", checks.term_list, name="term_list"),
    path("terms/<int:org_pk>/extension/", checks.term_extension_create, name="term_extension"),
    path("terms/<int:org_pk>/election/", checks.term_election, name="term_election"),
    # Meeting records.
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("branches/<int:org_pk>/meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/void/", meetings.meeting_void, name="meeting_void"),
    path("meeting-evidence/<int:pk>/", meetings.evidence_download, name="evidence_download"),
    # The roster and the dues ledger.
    path("branches/<int:org_pk>/members/", members.member_list, name="member_list"),
    path("branches/<int:org_pk>/members/new/", members.member_create, name="member_create"),
    path("branches/<int:org_pk>/members/import/", members.member_import, name="member_import"),
    path("members/<int:pk>/edit/", members.member_update, name="member_update"),
    path("branches/<int:org_pk>/dues/", members.dues_view, name="dues"),
    path("branches/<int:org_pk>/dues/new/", members.dues_create, name="dues_create"),
    path("branches/<int:org_pk>/dues/import/", members.dues_import, name="dues_import"),
    path("templates/<str:kind>.xlsx", members.import_template, name="import_template"),
]
