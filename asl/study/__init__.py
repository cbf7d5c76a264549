"""What the notebooks call: data, splits, models, training, scoring, explanations, figures.
May import the top-level contract (config, errors, files, metrics_file, progress, stats) and
TensorFlow, never ``asl.engine`` or ``asl.report``."""
