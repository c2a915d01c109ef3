from pathlib import Path

from clinical_ner import config as cfg
from clinical_ner.labels import bio_labels


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

RESULTS = "results"
ENCODERS = list(config["encoders"])
HEADS = list(config["heads"])
REGIMES = list(config["regimes"])
MODELS = cfg.model_names(config)
SOURCES = ["train", "test"] + (["dev"] if config["split"]["use_dev"] else [])
HEAD_NAMES = {"apt": "Apt", "crf": "CRF"}
TYPES = cfg.entity_types(config)  # the label map's targets
# (regime, split) of every sentence file whose labels are counted (study Fig. 3).
DISTRIBUTION_PARTS = [(regime, split) for regime in ("full", "downsampled") for split in ("train", "val", "test")]


wildcard_constraints:
    encoder="|".join(ENCODERS),
    head="|".join(HEADS),
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


def corpus_folder(source):
    """The BRAT folder of a corpus part: generated (synthetic) or given in config."""
    if config["corpus"]["source"] == "synthetic":
        return f"{RESULTS}/corpus/{source}"
    return config["corpus"][source]


def corpus_input(wildcards):
    return corpus_folder(wildcards.source)


def encoder_source(encoder):
    source = config["encoders"][encoder]["source"]
    return f"{RESULTS}/encoders/{encoder}" if source == "stand-in" else source


def candidate_ids(wildcards):
    return list(cfg.candidates(config, wildcards.encoder))


def model_runs():
    """(model, regime) pairs of the grid."""
    return [(model, regime) for model in MODELS for regime in REGIMES]


def per_run(pattern):
    return [pattern.format(model=model, regime=regime) for model, regime in model_runs()]


def display_names():
    """Model id -> the name shown in tables and figures, e.g. `BERT (stand-in)-CRF`."""
    return {
        f"{encoder}-{head}": f"{cfg.encoder_label(config, encoder)}-{HEAD_NAMES[head]}"
        for encoder in ENCODERS
        for head in HEADS
    }


def table_stems():
    """Every table `make_tables` writes (each as .csv, .md and .tex); Table I has its own rule."""
    stems = []
    for regime in REGIMES:
        stems += [
            f"table2_macro_bio_strict_{regime}",
            f"table3_weighted_bio_strict_{regime}",
            f"table4_ablations_{regime}",
            f"token_level_macro_{regime}",
            f"spans_n2c2_{regime}",
            f"spans_n2c2_per_type_{regime}",
            f"spans_{regime}",
            f"spans_per_type_{regime}",
        ]
    if len(REGIMES) > 1:
        stems.append("regime_comparison")
    return stems


def all_targets():
    targets = [
        f"{RESULTS}/data/report.json",
        f"{RESULTS}/data/label_distribution.csv",
        f"{RESULTS}/figures/label_distribution.png",
        f"{RESULTS}/figures/regime_comparison.png",
    ]
    targets += [f"{RESULTS}/tables/{stem}.md" for stem in ["table1_parameters", *table_stems()]]
    targets += per_run(f"{RESULTS}/figures/runs/{{model}}/{{regime}}/report_bio_strict.png")
    targets += per_run(f"{RESULTS}/predictions/{{model}}/{{regime}}/test.jsonl")
    targets += per_run(f"{RESULTS}/predictions/{{model}}/{{regime}}/ann")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{{regime}}/summary.json")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{{regime}}/spans.csv")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{{regime}}/spans_n2c2.csv")
    targets += per_run(f"{RESULTS}/models/{{model}}/{{regime}}/test_scores.json")
    targets += per_run(f"{RESULTS}/figures/runs/{{model}}/{{regime}}/reliability.png")
    return targets


def split_inputs(wildcards):
    inputs = {"train": f"{RESULTS}/data/sentences/train.jsonl", "test": f"{RESULTS}/data/sentences/test.jsonl"}
    if config["split"]["use_dev"]:
        inputs["dev"] = f"{RESULTS}/data/sentences/dev.jsonl"
    return inputs


def training_inputs(wildcards):
    inputs = {
        "train": f"{RESULTS}/data/{wildcards.regime}/train.jsonl",
        "val": f"{RESULTS}/data/{wildcards.regime}/val.jsonl",
    }
    if config["encoders"][wildcards.encoder]["source"] == "stand-in":
        inputs["encoder"] = f"{RESULTS}/encoders/{wildcards.encoder}"
    return inputs


def candidate_dirs(wildcards):
    return expand(
        f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/search/{{candidate}}",
        encoder=wildcards.encoder,
        head=wildcards.head,
        regime=wildcards.regime,
        candidate=candidate_ids(wildcards),
    )


def training_provenance(wildcards):
    """What a model card says about the training data besides the files: corpus, label map, regime, protocol."""
    corpus = config["corpus"]
    described = {"source": corpus["source"]}
    if corpus["source"] == "synthetic":
        described["synthetic"] = corpus["synthetic"]
    else:
        described.update({part: corpus[part] for part in ("train", "dev") if corpus.get(part)})
    return {
        "corpus": described,
        "label_map": corpus["label_map"],
        "regime": wildcards.regime,
        "downsample": config["downsample"] if wildcards.regime == "downsampled" else None,
        "protocol": config.get("protocol", "word"),
    }


def encoder_spec(encoder):
    """What a training script needs to build an encoder: its name, where it loads from, and sizes."""
    entry = config["encoders"][encoder]
    spec = {"name": encoder, "source": encoder_source(encoder)}
    spec.update(entry.get("architecture", {}))
    return spec


def architecture_inputs(wildcards):
    """Encoders whose architecture is read from a folder: stand-ins (built by the DAG) and local sources."""
    inputs = {}
    for encoder in ENCODERS:
        source = config["encoders"][encoder]["source"]
        if source == "stand-in" or (source != "scratch" and os.path.isdir(os.path.expanduser(source))):
            inputs[encoder] = encoder_source(encoder)
    return inputs
