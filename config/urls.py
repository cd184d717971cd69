from django.contrib import admin
from django.urls import include, path

from cellule.api.main import urls as api_urls
from cellule.core import views as core_views
from cellule.core.admin_site import CelluleAdminSite

# The administrator's screens demand the second factor too (django-otp's documented way).
admin.site.__class__ = CelluleAdminSite

urlpatterns = [
    path("", include("cellule.core.urls")),
    path("", include("cellule.accounts.urls")),
    path("proconnect/", include("cellule.accounts.proconnect")),
    path("signalements/", include("cellule.reports.urls")),
    path("situations/", include("cellule.cases.urls")),
    path("seances/", include("cellule.meetings.urls")),
    path("echanges/", include("cellule.exchanges.urls")),
    path("rgpd/", include("cellule.privacy.urls")),
    path("journal/", include("cellule.journal.urls")),
    path("statistiques/", include("cellule.stats.urls")),
    path("notifications/", include("cellule.alerts.urls")),
    path("profil/jetons-api/", include("cellule.api.urls")),
    path("api/v1/", api_urls()),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
]

handler500 = "cellule.core.errors.server_error"  # a database down: a French 503

# The benchmark's floor page (make bench): exists only in a server started with CELLULE_BENCH=1.
if core_views.bench_floor_enabled():
    urlpatterns.append(path("_bench/plancher/", core_views.bench_floor, name="bench_floor"))
