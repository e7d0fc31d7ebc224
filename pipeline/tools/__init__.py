"""Tools around the pipeline: the sample submissions and the benchmark."""
