from django.db import models


class IndicatorDomain(models.TextChoices):
    """Domains of the indicator grid (CIPDR grid, behavioural items only)."""

    RUPTURES = "ruptures", "Ruptures"
    ENVIRONMENT = "environment", "Environnement personnel"
    CONDUCT = "conduct", "Discours et comportements"
    IMMINENT = "imminent", "Signes de danger imminent"


class SignalStrength(models.TextChoices):
    WEAK = "weak", "Signal faible"
    STRONG = "strong", "Signal fort"


class SourceCategory(models.TextChoices):
    """Where the concern comes from: a list, never free text (CNIL 2020)."""

    SCHOOL = "school", "École, collège, lycée"
    YOUTH_SERVICE = "youth_service", "Service jeunesse"
    CCAS = "ccas", "CCAS ou service social"
    MUNICIPAL_POLICE = "municipal_police", "Police municipale"
    SPORTS_CLUB = "sports_club", "Club sportif ou association"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    SPECIALISED_PREVENTION = "specialised_prevention", "Prévention spécialisée"
    HOUSING = "housing", "Bailleur social"
    FAMILY = "family", "Famille ou proche"
    OTHER_PROFESSIONAL = "other_professional", "Autre professionnel"


class SignalementStatus(models.TextChoices):
    RECEIVED = "received", "Reçu"
    QUALIFIED = "qualified", "Qualifié"


class ClosureReason(models.TextChoices):
    OUT_OF_REMIT = "out_of_remit", "Hors du champ de la cellule"
    UNFOUNDED = "unfounded", "Infondé"
    MALICIOUS = "malicious", "Malveillant"
    OTHER = "other", "Autre motif"


class RedirectService(models.TextChoices):
    """Ordinary services (droit commun) a situation may be redirected to, without any label."""

    CCAS = "ccas", "CCAS / service social de secteur"
    PRE = "pre", "Programme de réussite éducative"
    EDUCATION = "education", "Éducation nationale (équipe de l'établissement)"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CHILD_WELFARE = "child_welfare", "Aide sociale à l'enfance (conseil départemental)"
    HEALTH = "health", "Soins (CMP, maison des adolescents)"
    SPECIALISED_PREVENTION = "specialised_prevention", "Prévention spécialisée"
    OTHER = "other", "Autre service"
