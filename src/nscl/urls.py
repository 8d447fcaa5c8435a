"""URL wiring: each app's own urls.py, mounted under its prefix."""
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("nscl.programme.urls")),
    path("audit/", include("nscl.audit.urls")),
    path("enterprises/", include("nscl.enterprises.urls")),
    path("dien-hinh/", include("nscl.practices.urls")),
    path("tfp/", include("nscl.stats.urls")),
    path("analysis/", include("nscl.analysis.urls")),
    path("accounts/", include("nscl.accounts.urls")),
    path("notifications/", include("nscl.notifications.urls")),
    path("api/", include("nscl.api.urls")),
    path("", include("nscl.trace.urls")),  # epcis/, trace/ and the GS1 Digital Link resolver /01/...
    path("quan-tri/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
]

# outages (503), a full disk (507) and other errors (500): problem+json on /api/ and /epcis/, a page elsewhere
handler404 = "nscl.common.errors.handler404"
handler500 = "nscl.common.errors.handler500"
