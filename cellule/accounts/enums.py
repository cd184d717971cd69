from django.db import models


class Role(models.TextChoices):
    """A person's role in one cell (Membership.role). What each may see is decided in access/."""

    PRESIDENT = "president", "Président (maire ou préfet)"
    COORDINATOR = "coordinator", "Coordonnateur"
    MEMBER = "member", "Membre partenaire"
    STATE_DELEGATE = "state_delegate", "Représentant de l'État"
    REPORTER = "reporter", "Agent signalant"
    GUEST = "guest", "Invité"


class GlobalRole(models.TextChoices):
    """Roles held outside any cell."""

    NONE = "", "Aucun"
    ADMIN = "admin", "Administrateur technique"
    DPO = "dpo", "Délégué à la protection des données"


class CellKind(models.TextChoices):
    MUNICIPAL = "municipal", "Cellule municipale (CMER)"
    DEPARTMENTAL = "departmental", "Cellule départementale (préfecture)"


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", "Commune"
    INTERCOMMUNALITE = "intercommunalite", "Intercommunalité"
    PREFECTURE = "prefecture", "Préfecture"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", "Conseil départemental"
    EDUCATION_NATIONALE = "education_nationale", "Éducation nationale"
    POLICE_NATIONALE = "police_nationale", "Police nationale"
    GENDARMERIE = "gendarmerie", "Gendarmerie nationale"
    POLICE_MUNICIPALE = "police_municipale", "Police municipale"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CCAS = "ccas", "Centre communal d'action sociale (CCAS)"
    PARQUET = "parquet", "Parquet"
    PREVENTION_SPECIALISEE = "prevention_specialisee", "Prévention spécialisée"
    ASSOCIATION = "association", "Association"
    OTHER = "other", "Autre"
