from django.db import models


class TransmissionKind(models.TextChoices):
    REPORT_TO_STATE = "report_to_state", "Signalement à l'État"
    FEEDBACK = "feedback", "Retour d'information"
    STATE_INFORMATION = "state_information", "Information nominative du préfet au maire"
    GENERAL_BRIEFING = "general_briefing", "Information générale sur la menace"


class LegalBasis(models.TextChoices):
    """The text that allows the exchange (a list, « other » with its reference)."""

    CSI_L132_5 = "csi_l132_5", "Article L. 132-5 du code de la sécurité intérieure"
    CASF_L121_6_2 = (
        "casf_l121_6_2",
        "Article L. 121-6-2 du code de l'action sociale et des familles",
    )
    INSTRUCTION_2018 = (
        "instruction_2018",
        "Instruction du 13 novembre 2018 (dialogue renforcé entre l'État et les maires)",
    )
    OTHER = "other", "Autre texte (à préciser)"


class TransmittedField(models.TextChoices):
    """What the sender may copy into a signalement à l'État, field by field."""

    LAST_NAME = "last_name", "Nom"
    FIRST_NAME = "first_name", "Prénom"
    BIRTH = "birth", "Date de naissance (ou âge approximatif)"
    COMMUNE = "commune", "Commune de résidence"
    INDICATORS = "indicators", "Faits observés : indicateurs datés des signalements"
    ADDRESS = "address", "Adresse"
    PHONE = "phone", "Téléphone"
    REPRESENTATIVES = "representatives", "Représentants légaux (personne mineure)"
    REPORT_TEXT = "report_text", "Texte des signalements (faits décrits par l'agent)"
    SITUATION = "situation", "État de la situation et date d'ouverture"
    MEASURES = "measures", "Mesures d'accompagnement (nature et état, sans organisme)"


# The minimal selection offered by default: who, where, and the dated conduct observed.
DEFAULT_FIELDS = (
    TransmittedField.LAST_NAME,
    TransmittedField.FIRST_NAME,
    TransmittedField.BIRTH,
    TransmittedField.COMMUNE,
    TransmittedField.INDICATORS,
)


class FeedbackOutcome(models.TextChoices):
    """The State's answer to a signalement (retour d'information), from a list."""

    TAKEN_INTO_ACCOUNT = "taken_into_account", "Pris en compte"
    ASSESSMENT = "assessment", "Évaluation en cours"
    STATE_SERVICES = "state_services", "Suivi par les services de l'État"
    CPRAF = "cpraf", "Orientation vers la cellule départementale d'accompagnement"
    NO_ACTION = "no_action", "Pas de suite à donner"


class InformationCase(models.TextChoices):
    """The three cases where the préfet may pass nominative information to the mayor."""

    REPORT_FEEDBACK = "report_feedback", "Retour sur un signalement du maire"
    MUNICIPAL_AGENT = "municipal_agent", "Agent ou candidat à un emploi de la commune"
    SUPPORTED_PERSON = "supported_person", "Personne accompagnée par la commune"


class ApprovalAuthority(models.TextChoices):
    """Whose prior agreement a state_information needs before it may leave the préfecture."""

    SECURITY_SERVICES = "security_services", "Services de sécurité intérieure"
    PROCUREUR = "procureur", "Procureur de la République"


class BriefingChannel(models.TextChoices):
    """Where the general briefing on the threat was given (instruction of 13 November 2018)."""

    RESTRICTED_CLSPD = "restricted_clspd", "Réunion restreinte du CLSPD ou du CISPD"
    BILATERAL = "bilateral", "Réunion bilatérale avec le maire"
    SEVERAL_COMMUNES = "several_communes", "Réunion de communes aux enjeux comparables"


class TransmissionStatus(models.TextChoices):
    """Where a transmission stands, as both sides read it (computed, never stored)."""

    DRAFT = "draft", "En attente des accords"
    SENT = "sent", "Envoyée"
    ACKNOWLEDGED = "acknowledged", "Réception accusée"
    ANSWERED = "answered", "Retour d'information donné"
    OVERDUE = "overdue", "Retour en retard"
    REQUESTED = "requested", "Demandée"
    HELD = "held", "Tenue"
    EXPIRED = "expired", "Expirée"
