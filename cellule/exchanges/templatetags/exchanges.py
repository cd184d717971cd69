"""``{% transmission_block situation %}`` / ``{% transmission_block signalement %}``: on the
commune's pages, the signalements à l'État already sent and the button to send one, for those
who may."""

from django import template

from cellule.access.abilities import may_transmit_situation

register = template.Library()


@register.inclusion_tag("exchanges/_block.html", takes_context=True)
def transmission_block(context, obj):
    from cellule.exchanges.enums import TransmissionKind
    from cellule.exchanges.models import Transmission

    user = context["request"].user
    signalement = obj if obj._meta.label_lower == "reports.signalement" else None
    situation = signalement.situation if signalement is not None else obj
    if situation is None:
        return {"shown": False}
    sent = Transmission.objects.visible_to(user).filter(kind=TransmissionKind.REPORT_TO_STATE)
    sent = sent.filter(signalement=signalement) if signalement else sent.filter(situation=situation)
    allowed = may_transmit_situation(situation, user) and (
        signalement is None or signalement.outcome_transmitted
    )
    transmissions = list(sent.order_by("sent_at"))
    return {
        "shown": allowed or bool(transmissions),
        "allowed": allowed,
        "transmissions": transmissions,
        "situation": situation,
        "signalement": signalement,
    }
