"""Candidate profiles (R1.1), vacancies, applications and procedure steps (R1.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from candor.people.models import SOURCED_NOT_PERSONAL, Person, Sourced
from candor.privacy.fields import EncryptedDecimalField, EncryptedManager, EncryptedTextField
from candor.privacy.registry import PD, Category, anonymise, personal_data


class EducationLevel(models.TextChoices):
    NONE = "", _("Not stated")
    SECONDARY = "secondary", _("Secondary education")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")
    CERTIFICATE = "certificate", _("Certificate or training")


class EducationKind(models.TextChoices):
    STUDY = "study", _("Study")
    TRAINING = "training", _("Training")


class CEFR(models.TextChoices):
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    NATIVE = "native", _("Native")


CEFR_RANK = {level: rank for rank, level in enumerate(CEFR.values, start=1)}


@personal_data(
    subject="person",
    fields={
        "desired_function": PD(Category.CAREER, provided=True),
        "current_function": PD(Category.CAREER, provided=True),
        "current_employer": PD(Category.CAREER, provided=True),
        "available_from": PD(Category.CAREER, provided=True),
        "summary": PD(Category.CAREER, provided=True),
        "career_ended_on": PD(Category.CAREER, description="end of active career (retention)"),
    },
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner"},
)
class CandidateProfile(Sourced):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="candidate")
    desired_function = models.CharField(_("desired function"), max_length=160, blank=True)
    current_function = models.CharField(_("current function"), max_length=160, blank=True)
    current_employer = models.CharField(_("current employer"), max_length=160, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    summary = models.TextField(_("profile summary"), blank=True)
    career_ended_on = models.DateField(_("career ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidate profile")
        verbose_name_plural = _("candidate profiles")

    def __str__(self) -> str:
        return self.desired_function or str(_("candidate profile"))


@personal_data(
    subject="person",
    fields={
        "institution": PD(Category.EDUCATION, provided=True),
        "field_of_study": PD(Category.EDUCATION, provided=True),
        "diploma": PD(Category.EDUCATION, provided=True),
        "level": PD(Category.EDUCATION, provided=True),
        "started_on": PD(Category.EDUCATION, provided=True),
        "ended_on": PD(Category.EDUCATION, provided=True),
    },
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner", "kind": "study or training"},
)
class Education(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="education")
    kind = models.CharField(
        _("kind"), max_length=10, choices=EducationKind.choices, default=EducationKind.STUDY
    )
    institution = models.CharField(_("school or institution"), max_length=160, blank=True)
    field_of_study = models.CharField(_("field of study"), max_length=160, blank=True)
    diploma = models.CharField(_("diploma"), max_length=160, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=EducationLevel.choices, blank=True)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("education")
        ordering = ["-ended_on"]
        indexes = [  # anonymous profiles: is a school common enough to be named?
            models.Index(Lower("institution"), name="education_institution_lower")
        ]

    def __str__(self) -> str:
        return " — ".join(p for p in (self.diploma or self.field_of_study, self.institution) if p)


@personal_data(
    subject="person",
    fields={
        "employer": PD(Category.CAREER, provided=True),
        "function": PD(Category.CAREER, provided=True),
        "started_on": PD(Category.CAREER, provided=True),
        "ended_on": PD(Category.CAREER, provided=True),
        "description": PD(Category.CAREER, provided=True),
    },
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner"},
)
class Experience(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="experience")
    employer = models.CharField(_("employer"), max_length=160, blank=True)
    function = models.CharField(_("function"), max_length=160)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("experience")
        verbose_name_plural = _("experience")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.function} — {self.employer}" if self.employer else self.function


@personal_data(
    subject="person",
    fields={
        "language": PD(Category.EDUCATION, provided=True),
        "level": PD(Category.EDUCATION, provided=True),
    },
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner"},
)
class LanguageSkill(Sourced):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="languages",
        db_index=False,  # the unique constraint below starts with the person: it serves
    )
    language = models.CharField(_("language"), max_length=3)  # ISO 639-1
    level = models.CharField(_("level"), max_length=6, choices=CEFR.choices)

    class Meta:
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        constraints = [
            models.UniqueConstraint(fields=["person", "language"], name="one_level_per_language")
        ]
        indexes = [models.Index(fields=["language", "level"])]

    def __str__(self) -> str:
        return f"{self.language} {self.level}"


@personal_data(
    subject="person",
    fields={"name": PD(Category.CAREER, provided=True)},
    not_personal={**SOURCED_NOT_PERSONAL, "person": "owner"},
)
class Skill(Sourced):
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="skills",
        db_index=False,  # the unique constraint below starts with the person: it serves
    )
    name = models.CharField(_("skill"), max_length=80)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [models.UniqueConstraint(fields=["person", "name"], name="skill_once")]

    def __str__(self) -> str:
        return self.name


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")


@personal_data(
    subject=None,
    not_personal={
        "id": "surrogate key",
        "client": "client organisation",
        "reference": "vacancy code",
        "title": "job title",
        "description": "job description (about the job, not a person)",
        "postcode": "work location",
        "city": "work location",
        "status": "state",
        "consultant": "responsible staff member (accountability)",
        "opened_on": "date",
        "created_at": "bookkeeping",
        "updated_at": "bookkeeping",
    },
)
class Vacancy(models.Model):
    client = models.ForeignKey(
        "relations.Organisation", on_delete=models.PROTECT, related_name="vacancies"
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=VacancyStatus.choices, default=VacancyStatus.OPEN
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vacancies",
    )
    opened_on = models.DateField(_("opened on"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vacancy")
        verbose_name_plural = _("vacancies")
        ordering = ["-opened_on"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Stage(models.TextChoices):
    """The procedure pipeline, in order; REJECTED and WITHDRAWN end it from any stage."""

    NEW = "new", _("New")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")
    TESTING = "testing", _("Testing")
    PRESENTED = "presented", _("Presented to client")
    OFFER = "offer", _("Offer")
    HIRED = "hired", _("Hired")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PIPELINE = [
    Stage.NEW,
    Stage.SCREENING,
    Stage.INTERVIEW,
    Stage.TESTING,
    Stage.PRESENTED,
    Stage.OFFER,
    Stage.HIRED,
]


@personal_data(
    subject="person",
    fields={
        "stage": PD(Category.ASSESSMENT, description="where the person stands in the procedure"),
        "applied_on": PD(Category.CAREER, provided=True),
        "motivation": PD(Category.CAREER, provided=True),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "person": "candidate",
        "vacancy": "the vacancy",
        "consultant": "responsible staff member (accountability)",
    },
)
class Application(Sourced):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="applications")
    vacancy = models.ForeignKey(Vacancy, on_delete=models.PROTECT, related_name="applications")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.NEW)
    applied_on = models.DateField(_("applied on"))
    motivation = models.TextField(_("motivation"), blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["person", "vacancy"], name="apply_once_per_vacancy")
        ]
        indexes = [models.Index(fields=["vacancy", "stage"])]

    def __str__(self) -> str:
        return f"{self.vacancy_id}/{self.person_id} ({self.stage})"


class StepKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    SELECTION_TEST = "selection_test", _("Selection test")
    APTITUDE_TEST = "aptitude_test", _("Aptitude test")
    OTHER_TEST = "other_test", _("Other test")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    NO_SHOW = "no_show", _("Did not attend")


@personal_data(
    subject="application__person",
    fields={
        "kind": PD(Category.ASSESSMENT),
        "scheduled_at": PD(Category.ASSESSMENT),
        "test_name": PD(Category.ASSESSMENT),
        "outcome": PD(Category.ASSESSMENT),
        "score": PD(Category.ASSESSMENT, sensitive=True),
        "report": PD(Category.ASSESSMENT, sensitive=True, erasure=anonymise("")),
        "external_assessor": PD(Category.ASSESSMENT, description="name of an outside assessor"),
    },
    not_personal={
        **SOURCED_NOT_PERSONAL,
        "application": "the procedure",
        "conducted_by": "staff member who held it (accountability)",
    },
)
class ProcedureStep(Sourced):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=16, choices=StepKind.choices)
    scheduled_at = models.DateTimeField(_("when"))
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conducted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    external_assessor = models.CharField(_("external assessor"), max_length=120, blank=True)
    test_name = models.CharField(_("test"), max_length=120, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    score = EncryptedDecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    report = EncryptedTextField(_("report"), blank=True)

    objects = EncryptedManager()

    class Meta:
        verbose_name = _("procedure step")
        verbose_name_plural = _("procedure steps")
        ordering = ["scheduled_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scheduled_at:%Y-%m-%d}"
