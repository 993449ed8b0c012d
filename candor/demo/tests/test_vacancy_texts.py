"""The demo's vacancy texts read like real ones, in the workplace's language, naming no client."""

from __future__ import annotations

import random

from faker import Faker

from candor.demo.data import PLACES, lang_of
from candor.demo.vacancy_texts import vacancy_description


def test_a_walloon_vacancy_is_written_in_french_and_a_flemish_one_in_dutch():
    fr_code, fr_city = PLACES["fr"][0]
    nl_code, nl_city = PLACES["nl"][0]

    french = vacancy_description(
        random.Random(1), Faker("fr_BE"), title="Comptable", city=fr_city, lang=lang_of(fr_code)
    )
    dutch = vacancy_description(
        random.Random(1), Faker("nl_BE"), title="Boekhouder", city=nl_city, lang=lang_of(nl_code)
    )

    assert "Votre profil" in french
    assert fr_city in french
    assert "Wie ben je?" in dutch
    assert nl_city in dutch
    assert "boekhouder" in dutch
    assert dutch.count("\n- ") == 8
