"""Plausible vacancy texts for the demo's public site, in the language of the workplace.

A text is assembled from short phrase lists (intro, tasks, profile, offer) with the function and
place filled in; Faker picks the figures. It never names the client: the public site does not.
"""

from __future__ import annotations

import random

from faker import Faker

PHRASES = {
    "nl": {
        "intro": [
            "Voor een groeiende organisatie in de regio {city} zoeken we een {title} die zin "
            "heeft om een team te versterken.",
            "Onze klant, een gevestigde waarde in {city}, zoekt een gemotiveerde {title}.",
            "Ben jij de {title} die een stabiele werkgever in {city} verder helpt groeien?",
        ],
        "tasks": [
            "Je werkt nauw samen met collega's van verschillende afdelingen.",
            "Je volgt je dossiers zelfstandig op, van begin tot eind.",
            "Je denkt mee over betere werkwijzen en zet ze ook in de praktijk om.",
            "Je bent het aanspreekpunt voor interne en externe vragen.",
            "Je rapporteert aan de teamverantwoordelijke en plant je werk zelf.",
        ],
        "profile": [
            "Je hebt minstens {years} jaar ervaring in een gelijkaardige functie.",
            "Je werkt nauwkeurig en houdt van een goed georganiseerde werkdag.",
            "Je spreekt vlot Nederlands; Frans of Engels is een troef.",
            "Je bent een teamspeler en communiceert helder.",
        ],
        "offer": [
            "Een contract van onbepaalde duur, {hours} uur per week, met maaltijdcheques en "
            "hospitalisatieverzekering.",
            "Een marktconform loon, {days} vakantiedagen en ruimte voor opleiding.",
            "Glijdende werkuren, deels thuiswerk en een vlot bereikbare werkplek.",
        ],
        "headings": ("Wat ga je doen?", "Wie ben je?", "Wat bieden we?"),
    },
    "fr": {
        "intro": [
            "Pour une organisation en pleine croissance de la région de {city}, nous cherchons "
            "un·e {title} prêt·e à renforcer une équipe.",
            "Notre client, une valeur sûre à {city}, recherche un·e {title} motivé·e.",
            "Vous êtes le ou la {title} qui aidera un employeur stable de {city} à grandir ?",
        ],
        "tasks": [
            "Vous travaillez en étroite collaboration avec plusieurs services.",
            "Vous suivez vos dossiers de manière autonome, du début à la fin.",
            "Vous proposez des améliorations et les mettez en pratique.",
            "Vous êtes le point de contact pour les questions internes et externes.",
            "Vous rapportez au responsable d'équipe et organisez votre travail.",
        ],
        "profile": [
            "Vous avez au moins {years} ans d'expérience dans une fonction similaire.",
            "Vous êtes précis·e et aimez une journée bien organisée.",
            "Vous parlez couramment le français ; le néerlandais ou l'anglais est un atout.",
            "Vous aimez le travail en équipe et communiquez clairement.",
        ],
        "offer": [
            "Un contrat à durée indéterminée, {hours} heures par semaine, avec chèques-repas et "
            "assurance hospitalisation.",
            "Un salaire conforme au marché, {days} jours de congé et des formations.",
            "Des horaires flexibles, du télétravail partiel et un lieu de travail accessible.",
        ],
        "headings": ("Vos tâches", "Votre profil", "Notre offre"),
    },
}


def vacancy_description(
    rng: random.Random, fake: Faker, *, title: str, city: str, lang: str
) -> str:
    """A few paragraphs: an introduction, then tasks, profile and offer as short lists."""
    words = PHRASES.get(lang, PHRASES["nl"])
    fill = {
        "title": title.lower() if title[:1].isupper() and " " not in title else title,
        "city": city or "Brussel",
        "years": fake.random_int(1, 5),
        "hours": rng.choice([32, 36, 38]),
        "days": fake.random_int(20, 32),
    }
    parts = [rng.choice(words["intro"]).format(**fill)]
    for heading, key, count in zip(
        words["headings"], ("tasks", "profile", "offer"), (3, 3, 2), strict=False
    ):
        lines = rng.sample(words[key], k=count)
        parts.append(heading + "\n" + "\n".join(f"- {line.format(**fill)}" for line in lines))
    return "\n\n".join(parts)
