"""The report: variants' results -> numbers -> decisions -> prose -> sections -> HTML and PDF.
May import the top-level contract (metrics_file, stats, config, errors, files), never
``asl.study`` or ``asl.engine``, and never TensorFlow."""
