"""The project's URLs plus the bench's floor page, which config/urls.py routes only in a server
started by the bench (CELLULE_BENCH=1)."""

from django.urls import path

from cellule.core import views
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("_bench/plancher/", views.bench_floor, name="bench_floor"),
    *project_urlpatterns,
]
