from django.db import models


class Relationship(models.TextChoices):
    """Who a minor's legal representative is to them (holders of parental authority or guardian)."""

    MOTHER = "mother", "Mère"
    FATHER = "father", "Père"
    GUARDIAN = "guardian", "Tuteur ou tutrice"
    CHILD_WELFARE = "child_welfare", "Aide sociale à l'enfance (enfant confié)"
    OTHER = "other", "Autre titulaire de l'autorité parentale"
