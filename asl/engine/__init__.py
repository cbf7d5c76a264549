"""The build engine: CLI, variants table and plan, input checks, cache, running notebooks, manifest.
May import the top-level contract (config, errors, files, metrics_file, progress), and
``asl.report``/``asl.study`` only lazily, to render, to check the data or to score photos;
never TensorFlow."""
