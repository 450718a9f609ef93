"""Durable effects: what a decision must still do outside the database (write a page, retire
cached pages, send an email), recorded in the decision's own transaction and run by the worker.

`Effect` is the record staff see in the admin (pending, failed, last error, attempts) and the
done-once marker: an effect that is done never runs again. `PeriodicRun` records that one
scheduled slot of a periodic job was taken, so several workers run each slot once.
The code that enqueues, runs and retries them is `core/tasks.py`.
"""

from django.db import models
from django.utils import timezone


class EffectStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Effect(models.Model):
    # The effect's function, by dotted path; only functions registered with @core.tasks.effect run.
    name = models.CharField(max_length=200)
    args = models.JSONField(default=dict, blank=True)
    label = models.CharField(max_length=300, blank=True, help_text="What it does, for people.")
    status = models.CharField(max_length=10, choices=EffectStatus.choices, default=EffectStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=10)
    run_after = models.DateTimeField(default=timezone.now, help_text="The next attempt is not before this.")
    # A running effect whose worker died is taken again once its lease has run out.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the task that runs it was last handed to the task backend (the sweep re-sends lost ones).
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "run_after"], name="core_effect_due_idx")]
        permissions = [("retry_effect", "Can retry an effect now")]

    def __str__(self):
        return self.label or self.name


class PeriodicRun(models.Model):
    """One slot of a periodic job, taken by the first worker to reach it."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="Seconds since the epoch divided by the job's period.")
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_periodic_run_once")]

    def __str__(self):
        return f"{self.job} #{self.slot}"
