"""Authorization decisions for these pages; merged into SITE_EXPECTATIONS by the matrix."""

from __future__ import annotations

from candor.core.actor import Actor
from candor.guidance.tests.factories import make_trajectory
from candor.people.models import Person
from candor.site.tests.matrix_roles import CONSULTANT, DOSSIER_READERS, Expectations

SITE: Expectations = {
    "trajectories/": (DOSSIER_READERS, 200),  # trajectory list: filters, sessions, next one
    "trajectories/new/": (CONSULTANT, 200),  # form: new trajectory (person chosen first)
    "trajectories/<int:trajectory_id>/": (DOSSIER_READERS, 200),  # one trajectory; audited
    "trajectories/<int:trajectory_id>/edit/": (CONSULTANT, 200),  # form: status, dates, goal
    "trajectories/<int:trajectory_id>/sessions/new/": (CONSULTANT, 200),  # form: a session
}


def samples(actor: Actor, found: dict[str, int]) -> dict[str, int]:
    """Real objects for this area's URL parameters (``found`` holds the shared ones)."""
    trajectory = make_trajectory(actor, Person.objects.get(pk=found["person_id"]))
    return {"trajectory_id": trajectory.pk}
