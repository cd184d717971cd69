"""The indicator grid shipped with Cellule: observable, datable conduct only.

After the CIPDR grid's domains (ruptures, personal environment, discourse and conduct) plus the
imminent-danger signs that send the agent to 17 / 112. Nothing about religion, beliefs, opinions,
origin, appearance or diet: none of those is a sign, and all are sensitive data (RGPD art. 9).
A single indicator proves nothing; only a set of concordant facts, read by people, may.
"""

# (code, domain, strength, label)
GRID = [
    ("family-break", "ruptures", "weak", "Rupture brutale avec la famille ou l'entourage proche"),
    ("old-friends-break", "ruptures", "weak", "Rupture avec des amis de longue date"),
    ("unexplained-absences", "ruptures", "weak", "Absences prolongées et inexpliquées du domicile"),
    ("school-dropout", "ruptures", "weak", "Absentéisme scolaire répété ou décrochage soudain"),
    (
        "training-or-job-dropout",
        "ruptures",
        "weak",
        "Abandon soudain d'une formation ou d'un emploi",
    ),
    (
        "activities-dropped",
        "ruptures",
        "weak",
        "Abandon d'activités pratiquées jusque-là (sport, loisirs)",
    ),
    ("withdrawal", "ruptures", "weak", "Repli sur soi, isolement marqué"),
    ("family-conflict", "environment", "weak", "Conflits familiaux graves et récents"),
    (
        "group-hold",
        "environment",
        "strong",
        "Emprise d'un groupe qui coupe la personne de son entourage",
    ),
    (
        "violent-networks",
        "environment",
        "strong",
        "Fréquentation observée de personnes ou de réseaux prônant la violence",
    ),
    (
        "violent-content",
        "environment",
        "strong",
        "Consultation ou diffusion de contenus violents ou appelant à la violence",
    ),
    (
        "relative-left-for-conflict",
        "environment",
        "strong",
        "Départ d'un proche vers une zone de conflit armé",
    ),
    (
        "rejects-collective-life",
        "conduct",
        "weak",
        "Rejet répété de l'autorité et de la vie collective, avec conflits",
    ),
    (
        "contests-teaching",
        "conduct",
        "weak",
        "Contestations répétées et perturbatrices d'enseignements",
    ),
    (
        "discrimination-against-women",
        "conduct",
        "weak",
        "Comportement discriminatoire envers les femmes ou les filles, avec acte perturbateur",
    ),
    (
        "conspiracy-discourse",
        "conduct",
        "weak",
        "Discours complotiste, apocalyptique ou de victimisation",
    ),
    ("hate-speech", "conduct", "strong", "Propos haineux répétés envers un groupe de personnes"),
    ("legitimises-violence", "conduct", "strong", "Propos légitimant la violence ou des attentats"),
    ("threats", "conduct", "strong", "Menaces proférées contre des personnes ou des institutions"),
    (
        "weapons-interest",
        "conduct",
        "strong",
        "Intérêt soudain pour les armes ou entraînement intensif au combat",
    ),
    ("travel-plan", "imminent", "strong", "Projet déclaré de départ vers une zone de conflit armé"),
    ("attack-plan", "imminent", "strong", "Projet déclaré de passage à l'acte violent"),
    ("weapon-acquisition", "imminent", "strong", "Recherche ou acquisition d'armes ou d'explosifs"),
]

# Words that must never appear in the grid: beliefs, practices, origin, appearance, diet.
FORBIDDEN_WORDS = [
    r"religi\w*",
    r"croyan\w*",
    r"foi",
    r"cultes?",
    r"pri[eè]res?",
    r"mosqu\w*",
    r"[ée]glises?",
    r"synagogu\w*",
    r"islam\w*",
    r"musulman\w*",
    r"juifs?",
    r"juives?",
    r"chr[ée]tien\w*",
    r"convers\w*",
    r"barbes?",
    r"voiles?",
    r"foulards?",
    r"v[êe]tements?",
    r"tenues?",
    r"apparences?",
    r"physiques?",
    r"origines?",
    r"nationalit\w*",
    r"ethni\w*",
    r"halal",
    r"ramadan",
    r"je[ûu]ne",
    r"alimentaire",
    r"r[ée]gime",
    r"opinions?",
    r"politiques?",
    r"laïcit\w*",
    r"radicalis\w*",
]
