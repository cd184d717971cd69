"""The situation's chronology shows its legal holds to those who see its whole file."""

from cellule.cases.timeline import Entry


def legal_holds(situation, reader, abilities) -> list[Entry]:
    if not abilities.get("view_reports"):  # the president and the coordinator
        return []
    entries = []
    for hold in situation.legal_holds.select_related("placed_by", "lifted_by"):
        entries.append(
            Entry(
                hold.placed_at,
                f"Gel juridique de la conservation : {hold.get_ground_display().lower()}",
                by=hold.placed_by.get_full_name(),
            )
        )
        if hold.lifted_at:
            entries.append(
                Entry(
                    hold.lifted_at,
                    "Gel juridique levé : la situation suit de nouveau sa durée de conservation",
                    by=hold.lifted_by.get_full_name() if hold.lifted_by else "",
                )
            )
    return entries
