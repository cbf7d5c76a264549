"""How the report's statistics were done, in sentences for "How we evaluated": what the
intervals resample, the test behind every difference, the Holm families, and what the
frame-block split's gap removes. Every number comes from the records."""
from __future__ import annotations

from asl.report.candidates import Candidate
from asl.report.formatting import fmt_acc, fmt_int, fmt_value
from asl.report.significance import ALPHA, TestGroup


def statistics_notes(models: list[Candidate], groups: list[TestGroup]) -> list[str]:
    """One sentence per rule the report's numbers follow."""
    blocks = next((c.test["n_clusters"] for c in models
                   if c.comparable and c.test.get("n_clusters")), None)
    photos = next((c.test["n"] for c in models if c.comparable), None)
    seeds = sorted({c.n_seeds for c in models if c.comparable})
    notes = []
    if blocks:
        notes.append(f"Every accuracy comes with a 95 % interval, written [lower, upper]. In "
                     f"domain the {fmt_int(photos)} test photos are {fmt_int(blocks)} held-out "
                     "blocks of consecutive frames, not independent photos: the interval is a "
                     "percentile bootstrap that resamples whole blocks.")
    else:
        notes.append("Every accuracy comes with a 95 % interval, written [lower, upper]; no "
                     "frame blocks were recorded, so in-domain photos count alone.")
    notes.append("Nothing groups the wild photos by person (their file names name no one), so "
                 "each counts alone there: a Wilson score interval for one training run, a "
                 "t-interval over photos of the correctness averaged over seeds for several.")
    if seeds == [1]:
        notes.append("Every variant was trained once (one training run): the intervals and tests "
                     "measure the noise of the photos drawn, not of training, so a difference may "
                     "not survive a retraining (--seeds N trains each variant N times).")
    else:
        notes.append(f"Variants were trained with {' or '.join(map(str, seeds))} training seeds on "
                     "the same split (Appendix E lists them); accuracies are the mean over the "
                     "seeds, with the standard deviation and range between them. A comparison "
                     "in which one side has a single run is marked \"one training run\" and "
                     "says nothing about the noise of training.")
    notes.append("Two models scored on the same photos are compared on the per-photo difference "
                 "in correctness, with a t-test whose standard error is clustered by frame block "
                 "in domain (each wild photo on its own); with several seeds every seed is "
                 "tested, every seed's difference must point the same way, and the largest "
                 "p-value counts (an intersection-union test).")
    families = "; ".join(f"{len(g.pairs)} pairs on the {g.label}" for g in groups)
    notes.append(f"The pairs on one set of photos form one Holm family ({families or 'none'}). "
                 f"A difference is significant when its Holm-adjusted p-value is below "
                 f"{fmt_value(ALPHA)}. Its interval is taken at the level of its Holm step and "
                 "spans every seed's, so it excludes zero exactly when the difference is "
                 "significant: every difference printed with an interval follows this one rule. "
                 "\"Not significant\" says the photos cannot tell the two apart at this level, "
                 "not that they are equal.")
    notes.append("P-values below 1e-6 are printed as \"< 1e-6\": their digits would rest on tail "
                 "approximations. Macro precision, recall and F1 average the per-class values, "
                 "so every class counts equally.")
    return notes


def near_duplicate_note(exploration: dict | None, gap) -> str | None:
    """What the gap around held-out blocks removes and what it does not, from the
    exploration's near-duplicate table."""
    table = (exploration or {}).get("near_duplicates") or {}
    blocked, random = table.get("frame_block"), table.get("random")
    if not isinstance(blocked, dict) or blocked.get("fraction") is None:
        return None
    against = (f", against {fmt_acc(random['fraction'])} with a random split"
               if isinstance(random, dict) and random.get("fraction") is not None else "")
    return (f"The gap of {fmt_value(gap)} frames removes every training frame next to a test "
            "frame; it does not remove look-alikes from further away in the video, where the "
            f"hand returns to a similar pose: {fmt_acc(blocked['fraction'])} of the frame-block "
            f"test photos still have a near-duplicate in training by the perceptual-hash check "
            f"of the exploration{against}. In-domain accuracy therefore still flatters the "
            "model somewhat; the wild photos do not have this problem.")


def wild_facts(n_images, per_class: dict | None) -> str:
    """What is known and what is not about the wild photos, from the records."""
    counts = [v for v in (per_class or {}).values() if isinstance(v, (int, float))]
    per = ""
    if counts:
        low, high = int(min(counts)), int(max(counts))
        per = f", {low if low == high else f'{low} to {high}'} per class"
    return (f"Known: {fmt_int(n_images)} photos{per}, of other people's hands in other places, "
            "never seen in training. Not known: how many people took them, who, where, or with "
            "which camera. The file names name no one, so the selection and report halves "
            "cannot be grouped by person: one person's photos may fall in both halves, and the "
            "report half's intervals treat every photo as independent, which they may not be.")
