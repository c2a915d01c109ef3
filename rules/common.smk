import sys
from functools import partial
from pathlib import Path

from clinical_ner import config as cfg
from clinical_ner.config_checks import missing_assembled_folders, missing_corpus_folders
from clinical_ner.labels import bio_labels
from clinical_ner.plan import encoders as plan_encoders
from clinical_ner.plan import outputs as plan_outputs
from clinical_ner.plan import runs as plan_runs
from clinical_ner.plan.encoders import source_folder
from clinical_ner.models.encoders.split_archives import ASSEMBLED_FOLDER, SPLIT_ARCHIVES
from clinical_ner.plan.runs import FULL, RUN


def config_layers():
    """The Snakefile's config.yaml, then each --configfile, then --config. Snakemake merges them key by
    key; re-layered here so that a user's encoders, label map and search grids replace the default's."""
    given = [Path(f).absolute() for f in workflow.overwrite_configfiles]
    embedded = [Path(f) for f in workflow.configfiles if Path(f).absolute() not in given]
    if workflow.config_settings.replace_workflow_config:
        embedded = []
    files = [cfg.read_config_file(f) for f in embedded + given]
    return files + [cfg.plain(workflow.config_settings.config)]


config = cfg.validate_config(
    cfg.layer_configs(config_layers()), origin="config (config.yaml, --configfile, --config)", check_paths=False
)

# A configured corpus folder that is absent is named now; the run itself fails where a job needs it, so a dry
# run still plans the whole DAG (e.g. of config/paper.yaml before the corpus is in place).
for problem in missing_corpus_folders(config) + missing_assembled_folders(config):
    print(f"Warning: {problem}", file=sys.stderr)

RESULTS = config["results"]
ENCODERS = plan_runs.encoders(config)
TRANSFORMER_ENCODERS = plan_runs.transformer_encoders(config)
STAND_IN_ENCODERS = plan_runs.stand_in_encoders(config)
ADAPTED_ENCODERS = plan_runs.adapted_encoders(config)
HEADS = plan_runs.heads(config)
REGIMES = plan_runs.regimes(config)
MODELS = cfg.model_names(config)  # the neural {encoder}-{head} grid
CRF_MODEL = cfg.CRFSUITE_MODEL  # the feature CRF baseline (encoder `crfsuite`, no head)
ALL_MODELS = plan_runs.all_models(config)
SEEDS = cfg.seeds(config)
REFERENCE_MODEL = plan_runs.reference_model(config)
SOURCES = plan_runs.sources(config)
TYPES = cfg.entity_types(config)  # the label map's targets
DISTRIBUTION_PARTS = plan_runs.distribution_parts(config)
HELD_OUT = plan_encoders.held_out(config)
STUDY_FIGURES = cfg.study_figures(config)


wildcard_constraints:
    encoder="|".join(ENCODERS + [cfg.CRFSUITE]),
    head="|".join(HEADS + ["none"]),
    fraction=r"[0-9.]+",
    seed=r"\d+",
    regime="full|downsampled",
    split="train|val|test",
    source="train|test|dev",
    candidate=r"hp\d+",


def default_resource(name):
    """Resource of a data/evaluation job from `resources.default` (memory and runtime grow per attempt)."""

    def get(wildcards, attempt):
        return cfg.job_resource(config, name, attempt=attempt)

    return get


def train_resource(name):
    """Resource of a job running an encoder, per encoder (GPUs only where the config asks for them)."""

    def get(wildcards, attempt):
        return cfg.job_resource(config, name, encoder=wildcards.encoder, attempt=attempt)

    return get


def train_threads(wildcards):
    return cfg.job_resource(config, "threads", encoder=wildcards.encoder)


def training_priority(wildcards):
    return plan_runs.training_priority(config, wildcards.encoder, wildcards.get("fraction", FULL))


def one_of(names):
    """A wildcard constraint matching exactly `names` (nothing when there are none)."""
    return "|".join(names) if names else "(?!)"


def pinned(wildcards):
    """The pinned settings of the wildcards' model (training.pinned), or None when it is searched."""
    return cfg.pinned_settings(config, f"{wildcards.encoder}-{wildcards.head}")


def candidate_ids(wildcards):
    """The search candidates of the wildcards' model; none when its settings are pinned."""
    return [] if pinned(wildcards) is not None else list(cfg.candidates(config, wildcards.encoder))


def candidate_dirs(wildcards):
    return expand(
        f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/search/{{candidate}}",
        encoder=wildcards.encoder,
        head=wildcards.head,
        regime=wildcards.regime,
        candidate=candidate_ids(wildcards),
    )


def training_inputs(wildcards, inputs=plan_encoders.training_inputs):
    """Training (or with `inputs=candidate_inputs`, search) sentences and encoder folder of the wildcards' run."""
    fraction, encoder = getattr(wildcards, "fraction", FULL), getattr(wildcards, "encoder", None)
    return inputs(config, wildcards.regime, fraction, encoder)


candidate_inputs = partial(training_inputs, inputs=plan_encoders.candidate_inputs)
regime_runs = lambda wildcards: plan_runs.regime_runs(config, wildcards.regime)
split_inputs = lambda wildcards: plan_encoders.split_inputs(config)
training_provenance = lambda wildcards: plan_encoders.training_provenance(config, wildcards.regime)
architecture_inputs = lambda wildcards: plan_encoders.architecture_inputs(config)
per_table_run = lambda pattern: plan_runs.per_run(config, pattern, plan_runs.table_run_dicts(config))
per_run = partial(plan_runs.per_run, config)
all_runs = partial(plan_runs.all_runs, config)
curve_runs = partial(plan_runs.curve_runs, config)
table_runs = partial(plan_runs.table_runs, config)
figure_runs = partial(plan_runs.figure_runs, config)
curve_subsets = partial(plan_runs.curve_subsets, config)
from_scratch_models = partial(plan_runs.from_scratch_models, config)
pretrained_models = partial(plan_runs.pretrained_models, config)
several_models = partial(plan_runs.several_models, config)
encoder_spec = partial(plan_encoders.encoder_spec, config)
architecture_spec = partial(plan_encoders.architecture_spec, config)
architecture_source = partial(plan_encoders.architecture_source, config)
encoder_folder = partial(plan_encoders.encoder_folder, config)
corpus_folder = partial(plan_encoders.corpus_folder, config)
corpus_input = partial(plan_encoders.corpus_input, config)
model_units = partial(plan_encoders.model_units, config)
display_names = partial(plan_outputs.display_names, config)
viewer_links = partial(plan_outputs.viewer_links, config)
protocol_scope = partial(plan_outputs.protocol_scope, config)
study_figure_inputs = partial(plan_outputs.study_figure_inputs, config)
study_figure_specs = partial(plan_outputs.study_figure_specs, config)
all_targets = partial(plan_outputs.all_targets, config)
table_stems = lambda: plan_outputs.table_stems(REGIMES)
