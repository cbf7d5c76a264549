"""ASL-alphabet study: data, models, training, evaluation and the PDF report.

Three parts, each a subpackage: ``engine`` (the build), ``study`` (what the notebooks run),
``report`` (results to PDF). The modules here are the contract between them: ``config``,
``errors``, ``files``, ``metrics_file`` (the metrics.json schema), ``progress`` and ``stats``.
"""

CLASSES = [chr(c) for c in range(ord("A"), ord("Z") + 1)] + ["del", "nothing", "space"]
