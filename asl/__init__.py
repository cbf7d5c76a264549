"""ASL-alphabet study: data, models, training, evaluation and the PDF report."""

CLASSES = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["del", "nothing", "space"]
