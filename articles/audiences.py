from django.db import models
from django.utils.translation import gettext_lazy as _

AUDIENCE_COOKIE = "oracle_audience"


class Audience(models.TextChoices):
    PATIENT = "patient", _("Patient or caregiver")
    PROFESSIONAL = "professional", _("Healthcare professional")
    STUDENT = "student", _("Student")
