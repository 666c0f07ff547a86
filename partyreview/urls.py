from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from partyreview.accounts import views as account_views
from partyreview.accounts.forms import LoginForm

admin.site.site_header = "partyreview 整改管理后台"
admin.site.site_title = "partyreview"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("partyreview.accounts.urls")),
    path("inspections/", include("partyreview.inspections.urls")),
    path("organizations/", include("partyreview.organizations.urls")),
    path("rectifications/", include("partyreview.rectifications.urls")),
    path("orglife/", include("partyreview.orglife.urls")),
    path("dashboard/", include("partyreview.dashboards.urls")),
    path("reminders/", include("partyreview.reminders.urls")),
    path("office/", include("partyreview.office.urls")),
    path("intake/", include("partyreview.intake.urls")),
    path("admin/", admin.site.urls),
]

# Chinese error pages in the app's layout, in every mode (partyreview/common/views.py).
handler400 = "partyreview.common.views.bad_request"
handler403 = "partyreview.common.views.permission_denied"
handler404 = "partyreview.common.views.page_not_found"
handler500 = "partyreview.common.views.server_error"
