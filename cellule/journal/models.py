"""The journal des accès: one insert-only, hash-chained table in the « journal » database.

Events hold references (ids, types, roles), never field contents. Actors and cells are plain
UUIDs, not foreign keys: the journal lives in another database and outlives the accounts.
"""

from django.db import models

from cellule.journal.enums import Action


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        from cellule.access import scopes

        return scopes.journal_events(self, user)

    def visible_parts_to(self, user) -> tuple["AuditEventQuerySet", "AuditEventQuerySet"]:
        """visible_to(user) as two disjoint querysets, each fast on its own index (see scopes)."""
        from cellule.access import scopes

        return scopes.journal_event_parts(self, user)


class AuditEvent(models.Model):
    # Assigned by recording.record() under a writer lock: 1, 2, 3... without gaps. It is the
    # primary key so that no database sequence (which leaves gaps on rollback) is involved.
    seq = models.BigIntegerField("n° d'ordre", primary_key=True)
    time = models.DateTimeField("horodatage")
    actor_id = models.UUIDField("utilisateur", null=True, blank=True)
    actor_organisation_id = models.UUIDField("organisation de l'utilisateur", null=True, blank=True)
    actor_role = models.CharField("rôle", max_length=40, blank=True)
    # No `choices=`: every app adds actions, and choices would mean a migration for each one.
    # recording.record() accepts only Action values.
    action = models.CharField("action", max_length=40)
    target_type = models.CharField("type d'objet", max_length=100, blank=True)
    target_id = models.CharField("objet", max_length=100, blank=True)
    # List pages record one event with the ids shown, in the order shown.
    target_ids = models.JSONField("objets affichés", default=list, blank=True)
    cell_id = models.UUIDField("cellule", null=True, blank=True)
    reason = models.TextField("motif", blank=True)
    request_id = models.CharField("identifiant de requête", max_length=64, blank=True)
    # Text, not GenericIPAddressField: the hashed value must read back byte for byte on every
    # database (PostgreSQL's inet would re-format IPv6 addresses).
    ip = models.CharField("adresse IP", max_length=45, blank=True)
    prev_hash = models.CharField("empreinte précédente", max_length=64)
    hash = models.CharField("empreinte", max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "événements du journal"
        ordering = ["seq"]
        default_permissions = ()  # nobody edits the journal, not even in the admin
        indexes = [
            models.Index(fields=["cell_id", "time"], name="journal_cell_time"),
            models.Index(fields=["actor_id", "time"], name="journal_actor_time"),
            # The DPO's list, newest first by seq within their cells / their cells' members.
            models.Index(fields=["cell_id", "seq"], name="journal_cell_seq"),
            models.Index(fields=["actor_id", "seq"], name="journal_actor_seq"),
            # Its account events (no cell), without the cells' events of the same actors.
            models.Index(
                fields=["actor_id", "seq"],
                name="journal_account_actor_seq",
                condition=models.Q(cell_id__isnull=True),
            ),
            models.Index(fields=["target_type", "target_id"], name="journal_target"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action_label} ({self.time:%Y-%m-%d %H:%M:%S})"

    @property
    def actor_role_label(self) -> str:
        """The role in French (a cell's role, or the DPO's, the administrator's)."""
        from cellule.accounts.enums import GlobalRole, Role

        for roles in (Role, GlobalRole):
            if self.actor_role in roles.values and self.actor_role:
                return roles(self.actor_role).label
        return self.actor_role

    @property
    def target_label(self) -> str:
        """What the target is, in French (« situation », « personne concernée »…)."""
        from django.apps import apps

        try:
            return str(apps.get_model(self.target_type)._meta.verbose_name)
        except (LookupError, ValueError):  # a model since removed: show the stored label
            return self.target_type

    @property
    def action_label(self) -> str:
        try:
            return Action(self.action).label
        except ValueError:  # an action since removed from the enum: show the stored value
            return self.action
