from django.urls import path

from partyreview.rectifications.views import audit, branch, detail, followup, staff

app_name = "rectifications"
urlpatterns = [
    path("<int:pk>/", detail.rectification_detail, name="detail"),
    # Staff: the register, the review queue and the decisions.
    path("", staff.rectification_list, name="list"),
    path("review/", staff.review_queue, name="review_queue"),
    path("<int:pk>/edit/", staff.rectification_update, name="update"),
    path("<int:pk>/close/", staff.rectification_close, name="close"),
    path("<int:pk>/return/", staff.rectification_return, name="return"),
    path("<int:pk>/reopen/", staff.rectification_reopen, name="reopen"),
    path("<int:pk>/end-long-term/", staff.rectification_end_long_term, name="end_long_term"),
    path("extensions/<int:pk>/decide/", staff.extension_decide, name="extension_decide"),
    # 回头看: the plan, the task lists and a check's outcome (staff).
    path("follow-ups/", followup.followup_list, name="followup_list"),
    path("follow-ups/mine/", followup.followup_mine, name="followup_mine"),
    path("follow-ups/schedule/", followup.followup_schedule, name="followup_schedule"),
    path("follow-ups/<int:pk>/", followup.followup_record, name="followup_record"),
    # Branch secretaries and assignees.
    path("my-branch/", branch.my_branch, name="my_branch"),
    path("<int:pk>/progress/", branch.progress_create, name="progress"),
    path("<int:pk>/submit/", branch.rectification_submit, name="submit"),
    path("<int:pk>/extension/", branch.extension_request, name="extension_request"),
    path("<int:pk>/period-report/", branch.period_report_create, name="report_period"),
    path("evidence/<int:pk>/", branch.evidence_download, name="evidence_download"),
    # Staff and administrators: what one person changed, within the viewer's scope.
    path("audit/users/<int:pk>/", audit.audit_user, name="audit_user"),
]
