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

# Each audience as a schema.org Audience for the JSON-LD. A MedicalAudience's audienceType is a
# MedicalAudienceType (Clinician, MedicalResearcher, Patient): none of them is a student, so
# students are an EducationalAudience in the role of student.
SCHEMA_AUDIENCE = {
    Audience.PATIENT: {"@type": "MedicalAudience", "audienceType": "Patient"},
    Audience.PROFESSIONAL: {"@type": "MedicalAudience", "audienceType": "Clinician"},
    Audience.STUDENT: {"@type": "EducationalAudience", "educationalRole": "student"},
}
