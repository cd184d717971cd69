from django.db import models

from cellule.stats.enums import AgeBand, DurationBucket, FactKind


class FactQuerySet(models.QuerySet):
    def for_cell(self, cell):
        return self.filter(cell_id=cell.pk)

    def for_departement(self, code: str):
        return self.filter(departement_code=code)

    def between(self, first_month, last_month):
        """Facts of the months from ``first_month`` to ``last_month`` (first days), included."""
        return self.filter(month__gte=first_month, month__lte=last_month)


class Fact(models.Model):
    """One business event, anonymous: where (cell, commune), which month, what, in which bands.

    No person, no name, no exact date, no foreign key to a table of personal data: the cell is a
    plain UUID and the commune a plain code, so facts survive every purge and crypto-shredding.
    """

    cell_id = models.UUIDField("cellule")
    commune_code = models.CharField("commune (code INSEE)", max_length=5, blank=True)
    departement_code = models.CharField("département (code INSEE)", max_length=3)
    month = models.DateField("mois")  # always the first day of the month
    kind = models.CharField("événement", max_length=40, choices=FactKind.choices)
    category = models.CharField("catégorie", max_length=40, blank=True)
    age_band = models.CharField("tranche d'âge", max_length=10, choices=AgeBand.choices, blank=True)
    duration = models.CharField("durée", max_length=10, choices=DurationBucket.choices, blank=True)

    objects = FactQuerySet.as_manager()

    class Meta:
        verbose_name = "fait statistique"
        verbose_name_plural = "faits statistiques"
        indexes = [
            models.Index(fields=["cell_id", "month"], name="fact_cell_month"),
            models.Index(fields=["departement_code", "month"], name="fact_departement_month"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.month:%m/%Y})"
