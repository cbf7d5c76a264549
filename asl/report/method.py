"""How the report's statistics were done, in sentences for "How we evaluated": what the
intervals resample, the test behind every difference, the Holm families, and what the
frame-block split's gap removes. Every number comes from the records."""
from __future__ import annotations

from asl.report import adaptation
from asl.report.candidates import Candidate
from asl.report.formatting import fmt_acc, fmt_int, fmt_value
from asl.report.significance import ALPHA, TestGroup


def statistics_notes(models: list[Candidate], groups: list[TestGroup]) -> list[str]:
    """One sentence per rule the report's numbers follow."""
    blocks = next((c.test["n_clusters"] for c in models
                   if c.comparable and c.test.get("n_clusters")), None)
    photos = next((c.test["n"] for c in models if c.comparable), None)
    seeds = sorted({c.n_seeds for c in models if c.comparable})
    in_domain = (f"in domain the {fmt_int(photos)} test photos come from {fmt_int(blocks)} "
                 "held-out frame blocks, so a bootstrap resamples whole blocks" if blocks else
                 "no frame blocks were recorded, so in-domain photos count alone")
    notes = [f"Accuracies come with 95 % intervals [lower, upper]: {in_domain}; nothing groups "
             "the wild photos by person, so each counts alone (Wilson interval; a t-interval "
             "over photos for several seeds)."]
    if seeds == [1]:
        notes.append("Every variant was trained once (one training run): intervals and tests "
                     "cover the photos drawn, not the noise of training (--seeds N trains N "
                     "times).")
    else:
        notes.append(f"Variants ran {' or '.join(map(str, seeds))} training seeds (Appendix E "
                     "lists them): mean over seeds, with their standard deviation and range; a "
                     "comparison with a single run on one side is marked \"one training run\".")
    families = "; ".join(f"{len(g.pairs)} pairs on the {g.label}" for g in groups)
    notes.append("Two models on the same photos: a t-test of the per-photo difference in "
                 "correctness, its standard error clustered by frame block in domain; with "
                 "several seeds every seed must point the same way and the largest p-value "
                 "counts (intersection-union).")
    notes.append(f"One Holm family per set of photos ({families or 'none'}); significant means a "
                 f"Holm-adjusted p below {fmt_value(ALPHA)}. Each difference's interval is taken "
                 "at its Holm step and spans every seed's, so it excludes zero exactly when the "
                 "difference is significant. \"Not significant\" means the photos cannot tell "
                 "the two apart, not that they are equal. P-values below 1e-6 print as "
                 "\"< 1e-6\". Macro averages weigh every class equally.")
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
    return (f"Known: {fmt_int(n_images)} photos{per} of other people's hands in other places. "
            "Not known: how many people, who, where or with which camera; the file names name "
            "no one, so the halves cannot be grouped by person, and one person may appear in "
            "both.")


SELECTION_HALF = "wild selection half"
"""How a run's metrics name the selection half as what a setting was fitted on."""


def fusion_choice(fusion: dict) -> str:
    """What a fusion run fitted and chose, from its ``extra.fusion`` record: the stacking model,
    the photos it was fitted on, its C and how C was chosen."""
    grid = ", ".join(f"{fmt_value(p['C'])}: {fmt_acc(p['cv_accuracy'])}"
                     for p in fusion.get("grid") or [])
    how = (f"chosen by {fusion['folds']}-fold cross-validation among those photos ({grid})"
           if fusion.get("folds") else "fixed (too few photos to cross-validate)")
    return (f"{fusion.get('model', 'stacking model')}, fitted on the "
            f"{fmt_int(fusion.get('photos'))} photos of the {fusion.get('fitted_on')}; "
            f"C = {fmt_value(fusion.get('C'))}, {how}")


def cascade_choice(cascade: dict) -> str:
    """The cascade's threshold and where it was chosen, from ``extra.fusion.cascade``."""
    return (f"the network's answer when its confidence is at least "
            f"{fmt_value(cascade.get('threshold'))} (chosen on the {cascade.get('chosen_on')}), "
            "else 'nothing'")


def gate_choice(gate: dict) -> str:
    """The gate's threshold, where it was chosen and how many photos it routes, from
    ``extra.gate``."""
    routed = ", ".join(f"{share:.0%} of the {WHERE_ROUTED.get(name, name)}"
                       for name, share in (gate.get("routed") or {}).items() if share is not None)
    threshold = gate.get("threshold")
    if threshold is None:
        return f"never the whole-photo network (chosen on the {gate.get('chosen_on')})"
    return (f"the whole-photo network where the mean distance to the {gate.get('neighbours')} "
            f"nearest training photos is at most {fmt_distance(threshold)} (chosen on the "
            f"{gate.get('chosen_on')}): {routed}")


def fmt_distance(threshold) -> str:
    """A gate's distance threshold, three decimals; "never" for none."""
    return "never" if threshold is None else f"{threshold:.3f}"


WHERE_ROUTED = {"val": "validation photos", "test": "test photos", "wild": "wild photos"}


def gate_use(result) -> list[str]:
    """The sentence naming what a gated variant's runs chose on the selection half."""
    gates = [(run.get("parameters", {}).get("train_seed"), (run.get("extra") or {}).get("gate"))
             for run in result.runs or []]
    gates = [(seed, gate) for seed, gate in gates if isinstance(gate, dict)]
    if not gates:
        return []
    chosen = "; ".join(f"seed {seed}: {fmt_distance(gate.get('threshold'))}"
                       for seed, gate in gates)
    return [f"{result.title}: the distance below which its whole-photo network answers instead "
            f"of the fusion is chosen on the validation photos and the wild selection half, each "
            f"weighing half, from both models' answers there, the fusion's out of fold "
            f"({chosen})."]


def selection_half_uses(results) -> list[str]:
    """One sentence per use of the selection half of the wild photos: each variant whose runs
    fitted a setting on it (``extra.fusion``, ``extra.gate``), naming what each run chose, and
    each adaptation study that drew photos from it."""
    notes = []
    for result in results:
        notes += adaptation_use(result) + gate_use(result)
        fits = [(run.get("parameters", {}).get("train_seed"),
                 (run.get("extra") or {}).get("fusion")) for run in result.runs or []]
        fits = [(seed, fusion) for seed, fusion in fits
                if isinstance(fusion, dict)
                and str(fusion.get("fitted_on", "")).startswith(SELECTION_HALF)]
        if not fits:
            continue
        chosen = "; ".join(f"seed {seed}: C = {fmt_value(f.get('C'))}" for seed, f in fits)
        first = fits[0][1]
        notes.append(f"{result.title}: its stacking model learns which source to trust for "
                     f"which letter, with {first.get('model', 'a stacking model')}. It is fitted "
                     f"on {fitted_photos(first)}, its "
                     f"regularisation C chosen by {first.get('folds')}-fold cross-validation "
                     f"within {'them' if first.get('validation_photos') else 'that half'} "
                     f"({chosen}). "
                     + ("Its accuracy on the selection half and on the validation photos, "
                        "which choose the recommended model, is out of fold"
                        if first.get("validation_photos") else
                        "Its accuracy on the selection half, which takes part in choosing the "
                        "recommended model, is out of fold")
                     + ": each photo is answered by a model fitted without it.")
    return notes


def fitted_photos(fusion: dict) -> str:
    """The photos a fusion's stacking model was fitted on, in words."""
    if fusion.get("validation_photos"):
        return (f"the {fmt_int(fusion.get('selection_photos'))} photos of the selection half and "
                f"the {fmt_int(fusion['validation_photos'])} validation photos, each set "
                "weighing half")
    return f"the {fmt_int(fusion.get('photos'))} photos of the selection half"


def adaptation_use(result) -> list[str]:
    """The adaptation study's use of the selection half (a finding; nothing is chosen on it)."""
    studies = [study for run in result.runs or []
               if (study := (run.get("extra") or {}).get("adaptation") or {}).get("points")
               and study.get("added_from") == "selection half"]
    ks = sorted({int(p["k"]) for study in studies for p in study["points"]} - {0})
    if not ks:
        return []
    return [f"{result.title}: the adaptation study (the finding \"{adaptation.TITLE}\") adds "
            f"k = {', '.join(map(str, ks))} photos per class drawn from the selection half to "
            "its training and refits the classifier, scored on the report half only. A finding "
            "only: nothing is chosen from it, and the recommended model is chosen without "
            "these photos."]
