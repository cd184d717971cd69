from django.db import migrations

DOMAINS = ["ruptures", "environment", "conduct", "imminent"]


def load_grid(apps, schema_editor):
    from cellule.reports.grid import GRID

    Indicator = apps.get_model("reports", "Indicator")
    for order, (code, domain, strength, label) in enumerate(GRID):
        Indicator.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "domain": domain,
                "domain_order": DOMAINS.index(domain),
                "strength": strength,
                "label": label,
                "order": order,
            },
        )


def unload_grid(apps, schema_editor):
    """Only possible while no report uses the grid (PROTECT keeps used items)."""
    from cellule.reports.grid import GRID

    apps.get_model("reports", "Indicator").objects.filter(code__in=[row[0] for row in GRID], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(load_grid, unload_grid)]
