import factory

from cellule.territory.models import Commune, Departement, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "93"
    name = "Provence-Alpes-Côte d'Azur"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "13"
    name = "Bouches-du-Rhône"
    region = factory.SubFactory(RegionFactory)


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"13{n % 800 + 200:03d}")  # 5 characters, like INSEE codes
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    population = 10000
