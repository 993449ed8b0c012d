"""Belgian formats are the same in every interface language (see candor.formats.nl)."""

from candor.formats.nl.formats import *  # noqa: F403 - one definition, three languages
