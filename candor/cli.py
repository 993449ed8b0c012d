"""The ``candor`` console script: Django's management commands under our name."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "candor.settings")
    from django.core.management import execute_from_command_line

    from candor.privacy.policy import PolicyError

    argv = list(sys.argv)
    argv[0] = "candor"
    try:
        execute_from_command_line(argv)
    except PolicyError as exc:  # start-up refused: say why without a traceback
        sys.stderr.write(f"candor: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
