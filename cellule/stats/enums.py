from django.db import models


class FactKind(models.TextChoices):
    """The business events that are counted. Categories are the event's own list values."""

    SIGNALEMENT_RECEIVED = "signalement_received", "Signalements reçus"
    SIGNALEMENT_QUALIFIED = "signalement_qualified", "Suites données aux signalements"
    SITUATION_OPENED = "situation_opened", "Situations ouvertes"
    SITUATION_CLOSED = "situation_closed", "Situations clôturées"
    MEASURE_PROPOSED = "measure_proposed", "Mesures proposées"
    MEASURE_ACCEPTED = "measure_accepted", "Mesures acceptées"
    MEASURE_REFUSED = "measure_refused", "Mesures refusées"
    MEASURE_ENDED = "measure_ended", "Mesures terminées"
    TRANSMISSION_SENT = "transmission_sent", "Transmissions envoyées"
    FEEDBACK_GIVEN = "feedback_given", "Retours d'information donnés"
    SEANCE_HELD = "seance_held", "Séances tenues"


class QualificationOutcome(models.TextChoices):
    """Categories of ``signalement_qualified`` facts: one fact per outcome chosen."""

    CLOSED = "closed", "Classé sans suite"
    REDIRECTED = "redirected", "Réorienté vers le droit commun"
    AGENDA = "agenda", "Inscrit à l'ordre du jour"
    TRANSMITTED = "transmitted", "Transmis à la préfecture"


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Moins de 13 ans"
    FROM_13_TO_17 = "13_17", "13 à 17 ans"
    FROM_18_TO_25 = "18_25", "18 à 25 ans"
    OVER_25 = "over_25", "Plus de 25 ans"
    UNKNOWN = "unknown", "Âge inconnu"


class DurationBucket(models.TextChoices):
    UNDER_7_DAYS = "<7j", "Moins de 7 jours"
    FROM_7_TO_30_DAYS = "7-30j", "7 à 30 jours"
    FROM_1_TO_3_MONTHS = "1-3m", "1 à 3 mois"
    FROM_3_TO_12_MONTHS = "3-12m", "3 à 12 mois"
    OVER_12_MONTHS = ">12m", "Plus de 12 mois"
