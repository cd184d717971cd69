"""The demo's exchanges between the CMERs of the Bouches-du-Rhône and the préfecture's cell.

Miramas sent three signalements à l'État: Benoît Lefèvre's first one, long answered (and the
préfète informed the mayor about it, with both approvals); Sarah Dubois's, acknowledged and now
past its feedback deadline; Benoît's second one, two days ago, not yet acknowledged. The
préfecture may already know Sarah Dubois (a report in its own cell). A nominative information
for Istres waits for the procureur's agreement. Salon asked for the general briefing on the
threat seven months ago and had none; Istres had one two months ago.

Created once: nothing is added when Miramas has already sent something.
"""

from datetime import date, timedelta

from django.utils import timezone

from cellule.exchanges.enums import DEFAULT_FIELDS, TransmittedField


def _backdate(transmission, *, days: int, acknowledged: int | None = None) -> None:
    from cellule.exchanges.models import Transmission

    sent = timezone.now() - timedelta(days=days)
    fields = {
        "created_at": sent,
        "sent_at": sent,
        "feedback_due_on": timezone.localdate(sent)
        + timedelta(days=transmission.to_cell.feedback_deadline_days),
    }
    if acknowledged is not None:
        fields["acknowledged_at"] = timezone.now() - timedelta(days=acknowledged)
    Transmission.objects.filter(pk=transmission.pk).update(**fields)
    transmission.refresh_from_db()


def seed_exchanges(cells, users) -> None:
    from cellule.cases.models import Situation
    from cellule.exchanges import services
    from cellule.exchanges.models import Transmission
    from cellule.people.identity import Identity
    from cellule.reports import services as report_services
    from cellule.reports.models import Indicator

    miramas, prefecture = cells["miramas"], cells["prefecture"]
    if Transmission.objects.filter(from_cell=miramas).exists():
        return
    situations = Situation.objects.filter(cell=miramas).select_related("person__key")
    benoit = situations.filter(status="support").first()
    sarah = situations.filter(status="watch").first()
    if benoit is None or sarah is None:
        return
    coordinator = users["coordination.miramas"]
    referent = users["referent.prefecture"]
    now = timezone.now()

    # The préfecture's own records: a report of the police liaison about Sarah Dubois.
    observed = timezone.localdate() - timedelta(days=90)
    report_services.file_signalement(
        cell=prefecture,
        identity=Identity(last_name="DUBOIS", first_name="Sarah", birth_date=date(2007, 6, 3)),
        observed_on=observed,
        source_category="other_professional",
        indicators=[(Indicator.objects.get(code="family-break", is_current=True), observed)],
        text="Signalée par le commissariat : fugues répétées du foyer familial.",
        by=users["police.prefecture"],
    )

    first = services.transmit_situation(
        situation=benoit,
        fields=DEFAULT_FIELDS,
        legal_basis="csi_l132_5",
        by=coordinator,
    )
    _backdate(first, days=80, acknowledged=79)
    services.give_feedback(transmission=first, outcome="assessment", by=referent)
    Transmission.objects.filter(reply_to=first).update(
        created_at=now - timedelta(days=70), sent_at=now - timedelta(days=70)
    )
    Transmission.objects.filter(pk=first.pk).update(feedback_given_at=now - timedelta(days=70))

    overdue = services.transmit_situation(
        situation=sarah,
        fields=[*DEFAULT_FIELDS, TransmittedField.SITUATION],
        legal_basis="instruction_2018",
        by=coordinator,
    )
    _backdate(overdue, days=41, acknowledged=39)

    latest = services.transmit_situation(
        situation=benoit,
        fields=[*DEFAULT_FIELDS, TransmittedField.SITUATION, TransmittedField.MEASURES],
        legal_basis="csi_l132_5",
        by=coordinator,
    )
    _backdate(latest, days=2)

    # The préfète tells the mayor of Miramas (only her) what became of the first report.
    information = services.create_state_information(
        from_cell=prefecture,
        to_cell=miramas,
        case="report_feedback",
        content=services.InformationContent(
            last_name="Lefèvre",
            first_name="Benoît",
            birth_date=date(2009, 3, 12),
            text="Les services de l'État ont évalué la situation signalée. Aucune mesure "
            "particulière n'est attendue de la commune au-delà de l'accompagnement social en "
            "cours ; la cellule départementale reste attentive à tout fait nouveau.",
        ),
        reply_to=first,
        validity_days=90,
        by=referent,
    )
    for authority, reference in (
        ("security_services", "SDRT 13 / 2026-031"),
        ("procureur", "Parquet d'Aix-en-Provence 26/0412"),
    ):
        services.record_approval(
            transmission=information,
            authority=authority,
            given_on=timezone.localdate() - timedelta(days=12),
            reference=reference,
            by=referent,
        )
    services.send_state_information(transmission=information, by=referent)
    sent = now - timedelta(days=10)
    Transmission.objects.filter(pk=information.pk).update(
        sent_at=sent, expires_at=sent + timedelta(days=90)
    )

    # A draft for Istres, waiting for the procureur's agreement.
    draft = services.create_state_information(
        from_cell=prefecture,
        to_cell=cells["istres"],
        case="municipal_agent",
        content=services.InformationContent(
            last_name="Morel",
            first_name="Dylan",
            text="Candidat à un poste d'animateur périscolaire : les services de l'État "
            "recommandent de ne pas lui confier l'encadrement de mineurs.",
        ),
        include_coordinator=True,
        by=referent,
    )
    services.record_approval(
        transmission=draft,
        authority="security_services",
        given_on=timezone.localdate() - timedelta(days=1),
        reference="SDRT 13 / 2026-044",
        by=referent,
    )

    # General briefings: Salon asked seven months ago and had none; Istres had one.
    salon = services.request_briefing(cell=cells["salon"], by=users["coordination.salon"])
    Transmission.objects.filter(pk=salon.pk).update(
        created_at=now - timedelta(days=210), sent_at=now - timedelta(days=210)
    )
    istres = services.request_briefing(cell=cells["istres"], by=users["maire.istres"])
    Transmission.objects.filter(pk=istres.pk).update(
        created_at=now - timedelta(days=75), sent_at=now - timedelta(days=75)
    )
    istres.refresh_from_db()
    services.record_briefing_held(
        transmission=istres,
        held_on=timezone.localdate() - timedelta(days=60),
        channel="bilateral",
        by=referent,
    )
