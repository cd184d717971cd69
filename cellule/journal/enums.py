from django.db import models


class Action(models.TextChoices):
    """What a journal event records. Values are stored and hashed: never rename one, add new ones."""

    # Authentication and account security
    LOGIN = "login", "Connexion"
    LOGIN_FAILED = "login_failed", "Échec de connexion"
    LOGOUT = "logout", "Déconnexion"
    LOCKOUT = "lockout", "Verrouillage après échecs répétés"
    OTP_VERIFIED = "otp_verified", "Second facteur validé"
    OTP_FAILED = "otp_failed", "Échec du second facteur"
    DEVICE_CHANGED = "device_changed", "Changement d'appareil d'authentification"
    PASSWORD_CHANGED = "password_changed", "Changement de mot de passe"
    # Habilitations and charter
    CHARTER_SIGNED = "charter_signed", "Signature de la charte"
    CHARTER_UPDATED = "charter_updated", "Modification de la charte"
    MEMBERSHIP_CHANGED = "membership_changed", "Modification d'une habilitation"
    MEMBERSHIP_ENDED = "membership_ended", "Fin d'une habilitation"
    MEMBERSHIP_CREATED = "membership_created", "Création d'une habilitation"
    INVITATION_SENT = "invitation_sent", "Envoi d'une invitation"
    INVITATION_REVOKED = "invitation_revoked", "Annulation d'une invitation"
    INVITATION_ACCEPTED = "invitation_accepted", "Acceptation d'une invitation"
    SESSION_ENDED = "session_ended", "Fermeture d'une session à distance"
    RECOVERY_CODE_USED = "recovery_code_used", "Connexion avec un code de secours"
    ACCESS_DENIED = "access_denied", "Accès refusé"
    # Reads
    CELL_VIEWED = "cell_viewed", "Consultation d'une cellule"
    MEMBER_LIST_VIEWED = "member_list_viewed", "Consultation de la liste des membres"
    RECORD_VIEWED = "record_viewed", "Consultation d'une fiche"
    LIST_VIEWED = "list_viewed", "Consultation d'une liste"
    # Writes and outputs
    RECORD_CREATED = "record_created", "Création d'une fiche"
    RECORD_UPDATED = "record_updated", "Modification d'une fiche"
    RECORD_ERASED = "record_erased", "Effacement d'une fiche (destruction de sa clé)"
    EXPORT = "export", "Export"
    PRINT = "print", "Impression"
    # Alerts drawn from the journal
    UNUSUAL_READING = "unusual_reading", "Alerte : lectures inhabituellement nombreuses"
    # The journal itself
    JOURNAL_EXPORTED = "journal_exported", "Export du journal des accès"
    JOURNAL_PURGED = "journal_purged", "Purge du journal des accès"
    # Retention (privacy): a purge run and its certificate
    RETENTION_PURGE = "retention_purge", "Purge de conservation (certificat)"
