from django.db import models


class SeanceFormat(models.TextChoices):
    """Restreinte: the small circle where nominative exchanges take place (architecture §6)."""

    PLENARY = "plenary", "Plénière"
    RESTRICTED = "restricted", "Restreinte"


class SeanceStatus(models.TextChoices):
    PLANNED = "planned", "Prévue"
    HELD = "held", "Tenue"
    MINUTES_VALIDATED = "minutes_validated", "Relevé validé"


class AttendeeKind(models.TextChoices):
    MEMBER = "member", "Membre convoqué"
    GUEST = "guest", "Invité"


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", "Non renseignée"
    PRESENT = "present", "Présent"
    EXCUSED = "excused", "Excusé"
    ABSENT = "absent", "Absent"


class ItemOrigin(models.TextChoices):
    REVIEW = "review", "Revue prévue"
    REPORT = "report", "Signalement inscrit à l'ordre du jour"
    ADDED = "added", "Ajouté par le coordonnateur"


class DecisionKind(models.TextChoices):
    CONTINUE = "continue", "Poursuivre l'accompagnement"
    PROPOSE_MEASURE = "propose_measure", "Proposer une mesure"
    ASSIGN_REFERENT = "assign_referent", "Désigner un référent"
    TRANSMIT = "transmit", "Transmettre à la préfecture"
    CLOSE = "close", "Clore"
    ADJOURN = "adjourn", "Ajourner"
