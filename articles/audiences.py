from django.db import models
from django.utils.translation import gettext_lazy as _

AUDIENCE_COOKIE = "oracle_audience"


class Audience(models.TextChoices):
    PATIENT = "patient", _("Patient or caregiver")
    PROFESSIONAL = "professional", _("Healthcare professional")
    STUDENT = "student", _("Student")


# How a page names the readers of a version written for an audience.
READERS = {
    Audience.PATIENT: _("patients and caregivers"),
    Audience.PROFESSIONAL: _("healthcare professionals"),
    Audience.STUDENT: _("students"),
}

# schema.org audience types for the JSON-LD.
SCHEMA_AUDIENCE = {
    Audience.PATIENT: "Patient",
    Audience.PROFESSIONAL: "Clinician",
    Audience.STUDENT: "MedicalAudience",
}
