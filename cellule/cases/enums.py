from django.db import models


class SituationStatus(models.TextChoices):
    ASSESSMENT = "assessment", "En évaluation"
    SUPPORT = "support", "Accompagnement"
    WATCH = "watch", "Veille"
    CLOSED = "closed", "Clôturée"
    ARCHIVED = "archived", "Archivée"


OPEN_STATUSES = (SituationStatus.ASSESSMENT, SituationStatus.SUPPORT, SituationStatus.WATCH)


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", "Objectifs atteints"
    STATE_CARE = "state_care", "Prise en charge par l'État"
    MOVED = "moved", "Déménagement hors de la commune"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Refus ou retrait de l'adhésion"
    NOT_CONFIRMED = "not_confirmed", "Inquiétude non confirmée"
    MALICIOUS = "malicious", "Signalement malveillant"
    OTHER = "other", "Autre"


class EventKind(models.TextChoices):
    OPENED = "opened", "Ouverture de la situation"
    REPORT_ATTACHED = "report_attached", "Nouveau signalement rattaché"
    TRANSITION = "transition", "Changement d'état"
    REFERENT = "referent", "Désignation du référent de parcours"


class MeasureKind(models.TextChoices):
    SCHOOLING = "schooling", "Scolarité"
    TRAINING_EMPLOYMENT = "training_employment", "Formation et emploi"
    FAMILY_PARENTING = "family_parenting", "Famille et parentalité"
    PSYCHOLOGICAL = "psychological", "Soutien psychologique"
    HEALTH = "health", "Santé"
    SOCIAL_HOUSING = "social_housing", "Accompagnement social et logement"
    SPECIALISED_PREVENTION = "specialised_prevention", "Prévention spécialisée"
    SPORT_CITIZENSHIP = "sport_citizenship", "Sport et citoyenneté"
    OTHER = "other", "Autre"


class MeasureStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposée"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
    ONGOING = "ongoing", "En cours"
    ENDED = "ended", "Terminée"


class TextDecision(models.TextChoices):
    """What the coordinator decides, at closure, for each free text of the situation."""

    KEEP = "keep", "Conserver"
    SHORTEN = "shorten", "Raccourcir"
    DELETE = "delete", "Supprimer"
