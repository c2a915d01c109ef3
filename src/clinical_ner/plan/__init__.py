"""The study plan: which models, runs, tables, figures and files a validated config asks for.

Pure functions of the validated config (`clinical_ner.config.validate_config`); ``rules/common.smk`` calls
them and adds only the Snakemake glue (wildcards, ``expand``, resources). Modules:

- `runs`: encoders, models, seeds, training fractions and every trained run;
- `encoders`: where each encoder loads from, which folders a job reads, what a training job is told;
- `outputs`: the table catalogue, the run's targets, display names and the study figures.
"""
