"""The confidentiality charter every member signs before seeing anything of a cell."""

DEFAULT_CHARTER = """\
Charte de confidentialité de la cellule

1. Je participe à la cellule au titre de mes fonctions. Les informations échangées le sont dans le
cadre des articles L. 132-5 du code de la sécurité intérieure et L. 121-6-2 du code de l'action
sociale et des familles : elles sont strictement limitées à ce qui est nécessaire à
l'accompagnement des personnes et ne peuvent être communiquées à des tiers.

2. Je ne consulte que les situations que mes missions me conduisent à connaître (besoin d'en
connaître). Chacune de mes consultations est enregistrée dans le journal des accès.

3. Je rapporte des faits datés et observés, jamais des opinions, croyances, origines ou apparences.

4. Je ne copie, n'imprime ni n'exporte aucune information hors de l'outil, sauf pour une décision
de la cellule et dans les formes prévues.

5. Les décisions sont prises par la cellule, de manière collégiale et motivée ; l'accompagnement
proposé aux personnes repose sur leur libre adhésion.

6. Je signale sans délai au coordonnateur toute perte, divulgation ou accès anormal.

7. Mes obligations de discrétion demeurent après la fin de ma participation à la cellule.
"""
