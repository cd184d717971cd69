from django.db import migrations

SITE = {
    "language": "fr",
    "site_title": "Cellule",
    "site_tagline": "Cellules d'échange sur la prévention de la radicalisation",
    "header_brand": "République française",
    "header_brand_html": "République<br>française",
    "footer_brand": "République française",
    "footer_brand_html": "République<br>française",
    "footer_description": "Outil sécurisé de suivi de l'accompagnement social des cellules municipales "
    "d'échange sur la radicalisation et de la cellule départementale de l'État.",
    "accessibility_status": "NOT",
}


def create_site_config(apps, schema_editor):
    DsfrConfig = apps.get_model("dsfr", "DsfrConfig")
    DsfrConfig.objects.update_or_create(language="fr", defaults=SITE)


def delete_site_config(apps, schema_editor):
    apps.get_model("dsfr", "DsfrConfig").objects.filter(language="fr").delete()


class Migration(migrations.Migration):
    dependencies = [("dsfr", "0012_dsfrconfig_notice_description_and_more")]
    operations = [migrations.RunPython(create_site_config, delete_site_config)]
