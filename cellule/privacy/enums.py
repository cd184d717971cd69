from django.db import models


class RequestKind(models.TextChoices):
    """The rights a person may exercise (RGPD art. 15 to 18 and 21)."""

    ACCESS = "access", "Droit d'accès (art. 15)"
    RECTIFICATION = "rectification", "Droit de rectification (art. 16)"
    ERASURE = "erasure", "Droit à l'effacement (art. 17)"
    RESTRICTION = "restriction", "Droit à la limitation (art. 18)"
    OBJECTION = "objection", "Droit d'opposition (art. 21)"


class RequestStatus(models.TextChoices):
    RECEIVED = "received", "Reçue"
    IN_PROGRESS = "in_progress", "En cours de traitement"
    ANSWERED = "answered", "Répondue"


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class RequestOutcome(models.TextChoices):
    """The answer given to the person, with its reasons in the closing step."""

    GRANTED = "granted", "Demande satisfaite"
    PARTIAL = "partial", "Demande satisfaite en partie (motivé)"
    REFUSED = "refused", "Demande refusée (motivé)"
    NO_DATA = "no_data", "Aucune donnée détenue sur la personne"


class StepKind(models.TextChoices):
    """What happened to a rights request, in order. Every step is journaled too."""

    RECEIVED = "received", "Demande enregistrée"
    PERSON_LINKED = "person_linked", "Personne retrouvée dans le fichier"
    NO_PERSON = "no_person", "Aucune personne correspondante dans le fichier"
    EXPORT_GENERATED = "export_generated", "Export des données préparé"
    EXPORT_REVIEWED = "export_reviewed", "Export relu et validé"
    EXPORT_RELEASED = "export_released", "Export remis (téléchargé)"
    RECTIFIED = "rectified", "Rectification faite"
    ERASED = "erased", "Données effacées"
    HOLD_PLACED = "hold_placed", "Conservation gelée (limitation)"
    EXTENDED = "extended", "Délai prolongé de deux mois"
    NOTE = "note", "Note de suivi"
    ANSWERED = "answered", "Réponse envoyée, demande close"


class HoldGround(models.TextChoices):
    """Why a record must outlive its retention rule for a while (legal hold)."""

    LITIGATION = "litigation", "Contentieux en cours"
    JUDICIAL = "judicial", "Réquisition ou procédure judiciaire"
    CNIL = "cnil", "Contrôle ou demande de la CNIL"
    RIGHTS = "rights", "Demande d'exercice des droits en cours (limitation)"
    OTHER = "other", "Autre motif juridique"


class PurgeTrigger(models.TextChoices):
    SCHEDULED = "scheduled", "Purge quotidienne planifiée"
    COMMAND = "command", "Purge lancée par l'exploitant (manage.py purge)"
    ERASURE = "erasure", "Effacement sur demande de la personne"
