"""The register entry (art. 30 RGPD), the DPIA support and the information notices, generated
from the configuration: the controller's cells, their members, the retention rules as each cell
set them, and the security measures the running instance really applies (read from its
settings). One source for all of them, so that they never drift apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cellule.privacy import rules


@dataclass(frozen=True)
class SecurityMeasure:
    code: str
    title: str
    text: str


@dataclass(frozen=True)
class Risk:
    code: str
    title: str
    sources: str
    impacts: str
    measures: tuple[str, ...]  # codes of SecurityMeasure
    residual: str


def retention_rows(cell) -> list[dict]:
    """Every rule as the cell applies it: its delay, what starts it, its basis."""
    from cellule.privacy.purge import effective_days, settings_map

    chosen = settings_map()
    rows = []
    for rule in rules.RULES.values():
        if rule.code == "journal":
            months = getattr(settings, "CELLULE_JOURNAL_RETENTION_MONTHS", 12)
            delay = f"{months} mois"
            own = False
        else:
            days = effective_days(rule, cell.pk, chosen)
            delay = rules.days_label(days) if days else ""
            own = rule.configurable and (cell.pk, rule.code) in chosen
        rows.append(
            {
                "code": rule.code,
                "label": rule.label,
                "delay": delay,
                "starts": rule.starts,
                "basis": rule.basis,
                "own": own,
                "configurable": rule.configurable,
                "bounds": rule.bounds_label,
                "default": rule.default_label(),
                "enforced_by": rule.enforced_by or "manage.py purge (quotidien)",
            }
        )
    return rows


def security_measures() -> list[SecurityMeasure]:
    """What this instance applies, with the values of its settings."""
    idle = getattr(settings, "CELLULE_SESSION_IDLE_SECONDS", 1800) // 60
    absolute = getattr(settings, "SESSION_COOKIE_AGE", 43200) // 3600
    lockout = getattr(settings, "AXES_FAILURE_LIMIT", 10)
    journal_months = getattr(settings, "CELLULE_JOURNAL_RETENTION_MONTHS", 12)
    reads = getattr(settings, "CELLULE_UNUSUAL_READS_PER_HOUR", 20)
    proconnect = bool(getattr(settings, "PROCONNECT_CLIENT_ID", ""))
    production = getattr(settings, "PRODUCTION", False)
    return [
        SecurityMeasure(
            "habilitations",
            "Habilitations et besoin d'en connaître",
            "Chaque accès passe par une habilitation (un rôle dans une cellule, pour une période) ; "
            "un membre ne voit que les situations qu'il suit ; un objet hors de son périmètre "
            "répond « introuvable ». Règles écrites en un seul endroit et testées route par route.",
        ),
        SecurityMeasure(
            "charte",
            "Charte de confidentialité signée",
            "Aucun accès avant la signature de la version en vigueur de la charte de la cellule.",
        ),
        SecurityMeasure(
            "authentification",
            "Authentification forte",
            "Mot de passe de 12 caractères au moins (Argon2id) et second facteur TOTP "
            "obligatoire pour tous les comptes, codes de secours à usage unique"
            + (" ; ProConnect (eIDAS substantiel exigé)." if proconnect else "."),
        ),
        SecurityMeasure(
            "verrouillage",
            "Verrouillage après échecs",
            f"Compte verrouillé après {lockout} échecs de connexion ; second facteur limité en "
            "fréquence.",
        ),
        SecurityMeasure(
            "sessions",
            "Sessions limitées",
            f"Déconnexion après {idle} minutes d'inactivité et au plus tard après {absolute} "
            "heures ; liste des sessions ouvertes et fermeture à distance ; nouvelle "
            "authentification avant les actions sensibles (export, effacement).",
        ),
        SecurityMeasure(
            "chiffrement",
            "Chiffrement des données au repos",
            "Identités et textes libres chiffrés en AES-256-GCM sous une clé propre à chaque "
            "personne, elle-même chiffrée par une clé maîtresse hors de la base (rotation "
            "possible) ; un chiffré déplacé d'une ligne à une autre ne se déchiffre pas.",
        ),
        SecurityMeasure(
            "effacement",
            "Effacement cryptographique",
            "Détruire la clé d'une personne rend illisibles toutes ses données, copies et "
            "sauvegardes comprises ; la purge détruit la clé, puis les lignes.",
        ),
        SecurityMeasure(
            "doublons",
            "Détection des doublons sans déchiffrer le fichier",
            "Index aveugles (HMAC sous une clé distincte) du nom et de la date de naissance : "
            "seuls les candidats sont déchiffrés.",
        ),
        SecurityMeasure(
            "journal",
            "Journal des accès",
            "Chaque consultation, modification, export et connexion est journalisé dans une base "
            "séparée, en ajout seul, chaîné par empreintes et vérifié contre des points de "
            f"contrôle signés ; conservé {journal_months} mois ; consulté par le DPO.",
        ),
        SecurityMeasure(
            "alerte",
            "Alerte sur les lectures inhabituelles",
            f"Le DPO est alerté quand un utilisateur consulte plus de {reads} dossiers distincts "
            "en une heure.",
        ),
        SecurityMeasure(
            "conservation",
            "Durées de conservation appliquées automatiquement",
            "Une purge quotidienne supprime ce que sa règle dit échu, sauf gel juridique motivé ; "
            "le coordonnateur est prévenu 30 jours avant ; chaque purge produit un certificat "
            "(comptes par règle et par cellule) conservé et présenté au DPO.",
        ),
        SecurityMeasure(
            "minimisation",
            "Minimisation et faits datés",
            "Aucun champ sur la religion, les opinions, l'origine, la nationalité ou l'apparence ; "
            "indicateurs de comportement datés tirés d'une grille ; origine et motifs choisis dans "
            "des listes ; textes libres courts, relus à la clôture de la situation.",
        ),
        SecurityMeasure(
            "decision_humaine",
            "Décisions humaines motivées",
            "Aucun score ni classement automatique des personnes ; chaque décision est "
            "enregistrée avec son auteur, sa date et son motif.",
        ),
        SecurityMeasure(
            "archives",
            "Archive intermédiaire",
            "Une situation close passe en archive : consultable par le président ou le "
            "coordonnateur seulement, sur motif journalisé.",
        ),
        SecurityMeasure(
            "courriels",
            "Courriels sans donnée personnelle",
            "Les notifications et courriels ne contiennent ni nom ni contenu : un lien vers "
            "Cellule, où la règle d'accès s'applique.",
        ),
        SecurityMeasure(
            "transmissions",
            "Échanges avec l'État limités",
            "Seules des copies scellées partent vers la préfecture, avec les champs choisis par "
            "l'émetteur et une base légale ; chaque copie a sa propre clé.",
        ),
        SecurityMeasure(
            "web",
            "Protection de l'application web",
            "Politique de sécurité du contenu stricte (aucun script ni style en ligne), "
            "protection CSRF, cadres interdits"
            + (
                " ; HTTPS obligatoire (HSTS), cookies sécurisés préfixés __Host-."
                if production
                else " ; en production : HTTPS obligatoire (HSTS), cookies sécurisés."
            ),
        ),
        SecurityMeasure(
            "droits",
            "Exercice des droits outillé",
            "Demandes enregistrées avec leur échéance d'un mois ; export des données relu par une "
            "seconde personne avant remise ; chaque étape journalisée.",
        ),
    ]


def measures_by_code() -> dict[str, SecurityMeasure]:
    return {measure.code: measure for measure in security_measures()}


RISKS = (
    Risk(
        "acces_illegitime",
        "Accès illégitime aux données",
        "Un agent curieux ou malveillant, un compte volé, une sauvegarde dérobée, un partenaire "
        "qui consulte au-delà de son besoin.",
        "Stigmatisation, atteinte à la vie privée et à la réputation de personnes souvent "
        "mineures ; perte de confiance des familles et des partenaires.",
        (
            "habilitations",
            "charte",
            "authentification",
            "verrouillage",
            "sessions",
            "chiffrement",
            "journal",
            "alerte",
            "archives",
            "courriels",
        ),
        "Un membre habilité peut lire ce qu'il suit : le journal et l'alerte au DPO le rendent "
        "visible, la charte l'engage.",
    ),
    Risk(
        "modification",
        "Modification non désirée des données",
        "Erreur de saisie, altération volontaire d'un dossier ou du journal.",
        "Décision prise sur des faits faux ; preuve des accès compromise.",
        ("chiffrement", "journal", "decision_humaine", "droits"),
        "Une erreur reste possible : les personnes peuvent demander la rectification.",
    ),
    Risk(
        "conservation_excessive",
        "Conservation au-delà du nécessaire",
        "Fichiers gardés sans limite (constat de la CNIL en 2020), oubli des purges manuelles.",
        "Une personne reste « fichée » des années après la fin de son accompagnement.",
        ("conservation", "effacement", "archives"),
        "Un gel juridique prolonge un dossier : il est motivé, visible du DPO et levable.",
    ),
    Risk(
        "fichage",
        "Détournement de finalité et fichage",
        "Glissement vers un fichier de renseignement ; données sensibles ou d'infraction "
        "saisies en texte libre ; transmission excessive à l'État.",
        "Atteinte aux libertés, discrimination, décisions automatisées.",
        ("minimisation", "decision_humaine", "transmissions", "droits"),
        "Les textes libres restent possibles : ils sont courts, rappelés aux faits et relus.",
    ),
    Risk(
        "disparition",
        "Disparition des données",
        "Panne, suppression par erreur, purge trop précoce.",
        "Perte du suivi d'une personne accompagnée ; impossibilité de prouver un accès.",
        ("conservation", "journal"),
        "Les sauvegardes et leur restauration sont à la charge de l'exploitant (hors de "
        "l'outil) ; la table des clés se sauvegarde sur un cycle plus court que les données.",
    ),
)


def risks() -> list[dict]:
    """The DPIA's risks, each with the measures the tool implements against it."""
    measures = measures_by_code()
    return [
        {"risk": risk, "measures": [measures[code] for code in risk.measures]} for risk in RISKS
    ]


def dpos(organisation) -> list:
    from cellule.accounts.enums import GlobalRole
    from cellule.accounts.models import User

    return list(
        User.objects.filter(
            organisation=organisation, global_role=GlobalRole.DPO, is_active=True
        ).order_by("last_name")
    )


def entry(organisation) -> dict:
    """The register entry of the controller's processing, from the configuration."""
    from cellule.accounts.enums import Role
    from cellule.accounts.models import Cell, Membership
    from cellule.cases.enums import MeasureKind
    from cellule.reports.enums import SourceCategory
    from cellule.reports.models import Indicator

    cells = list(Cell.objects.filter(organisation=organisation).prefetch_related("communes"))
    memberships = (
        Membership.objects.filter(cell__in=cells)
        .granting()
        .select_related("user__organisation", "cell")
    )
    roles = Counter()
    partners = set()
    presidents = []
    for membership in memberships:
        roles[membership.get_role_display()] += 1
        if membership.user.organisation_id:
            partners.add(membership.user.organisation.name)
        if membership.role == Role.PRESIDENT:
            presidents.append(membership.user.get_full_name())
    departmental = Cell.objects.filter(
        kind="departmental", departement_id__in={cell.departement_id for cell in cells}
    ).exclude(organisation=organisation)
    domains = Counter(indicator.get_domain_display() for indicator in Indicator.objects.current())
    return {
        "organisation": organisation,
        "cells": cells,
        "presidents": sorted(set(presidents)),
        "dpos": dpos(organisation),
        "purposes": [
            "Recevoir et qualifier les signalements d'agents habilités sur des personnes dont la "
            "situation inquiète (art. L. 132-5 du code de la sécurité intérieure).",
            "Organiser le suivi et l'accompagnement social des personnes, fondé sur la libre "
            "adhésion (scolarité, emploi, famille, santé, soutien psychologique).",
            "Préparer les séances de la cellule et en conserver les décisions motivées.",
            "Échanger avec l'État le strict nécessaire (art. L. 132-5 CSI, L. 121-6-2 CASF).",
            "Produire des statistiques anonymes de l'activité de la cellule.",
        ],
        "legal_basis": "Mission d'intérêt public (art. 6.1.e RGPD) : art. L. 132-1 et suivants, "
        "L. 132-5 et D. 132-7 du code de la sécurité intérieure ; art. L. 121-6-2 du code de "
        "l'action sociale et des familles.",
        "subjects": [
            "Personnes signalées, y compris mineures",
            "Leurs représentants légaux",
            "Agents qui signalent, membres et partenaires habilités de la cellule",
        ],
        "data": [
            "Identité et coordonnées (chiffrées), commune de résidence",
            "Comportements observés et datés, tirés de la grille d'indicateurs : "
            + ", ".join(f"{domain} ({count})" for domain, count in sorted(domains.items())),
            "Origine du signalement (liste) : "
            + ", ".join(label for _, label in SourceCategory.choices),
            "Mesures d'accompagnement (nature, organisme, adhésion) : "
            + ", ".join(label for _, label in MeasureKind.choices),
            "Décisions motivées, revues et notes de suivi courtes (chiffrées)",
            "Transmissions avec l'État : date, base légale, champs transmis",
            "Pour les agents : identité, organisation, habilitations, journal des accès",
            "Aucune donnée sur la religion, les opinions, l'origine, la santé (hors mesure), "
            "l'appartenance à un fichier de l'État",
        ],
        "recipients": {
            "roles": sorted(roles.items()),
            "partners": sorted(partners),
            "state": [cell.name for cell in departmental],
        },
        "transfers": "Aucun transfert hors de l'Union européenne.",
        "retention": [(cell, retention_rows(cell)) for cell in cells],
        "security": security_measures(),
        "dpia": "Oui : traitement de signalements et d'accompagnement social de personnes "
        "vulnérables (délibération CNIL n° 2018-327) — voir la page AIPD.",
        "generated_at": timezone.now(),
    }
