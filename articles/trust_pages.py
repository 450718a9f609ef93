"""The trust pages' first text; staff edit it in the admin (Site pages) from then on."""

EDITORIAL_POLICY = """Every answer on Oracle is drafted by an editor from the published literature and reviewed by our Medical Advisory Board before readers see it. Nothing unreviewed is published.

## How an answer is made

1. **Drafting.** An editor writes the question, a short summary answer and sections of statements. Every statement cites the sources it rests on.
2. **Review.** A member of the Medical Advisory Board reviews the draft against its sources, requests changes or approves it. The board member who approves an answer did not write or edit it.
3. **Publication.** Only the exact version that was approved is published. "Last updated" is the date of that approval. Every published version stays available from the answer's version history.

## Sources

We prefer current clinical guidelines and systematic reviews, then primary research and official drug labelling. Each reference is labelled with its kind so you can judge its weight.

## Corrections

When a source is retracted or superseded, or new evidence changes the answer, the answer is revised and reviewed again. An answer found to be wrong is withdrawn from public view, and the reason is shown to anyone who follows a link to it.
"""

ADVISORY_BOARD = """Our Medical Advisory Board is made up of practising clinicians. Board members review every answer for accuracy, balance and fidelity to its sources before it is published, and review it again when it is revised. No member approves an answer they wrote or edited.

Each answer names the members who approved it and when.
"""

DEFAULTS = {
    "editorial-policy": ("Editorial policy", EDITORIAL_POLICY),
    "advisory-board": ("Medical Advisory Board", ADVISORY_BOARD),
}
