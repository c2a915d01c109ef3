import sys
from pathlib import Path

from clinical_ner import config as cfg
from clinical_ner.data.subsets import fraction_id
from clinical_ner.labels import bio_labels
from clinical_ner.models.encoder_kinds import PACKAGE_PREFIX, kind_of, package_folder


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
for problem in cfg.missing_corpus_folders(config):
    print(f"Warning: {problem}", file=sys.stderr)

RESULTS = config["results"]
ENCODERS = list(config["encoders"])
TRANSFORMER_ENCODERS = [e for e in ENCODERS if cfg.encoder_kind(config, e).transformer]
# Encoders whose folder the pipeline builds: stand-ins (pretrain_stand_in), task-adapted ones (adapt_encoder).
STAND_IN_ENCODERS = [e for e in ENCODERS if cfg.encoder_kind(config, e).name == "stand-in"]
ADAPTED_ENCODERS = [e for e in ENCODERS if cfg.encoder_kind(config, e).name == "adapted"]
HEADS = list(config["heads"])
REGIMES = list(config["regimes"])
MODELS = cfg.model_names(config)  # the neural {encoder}-{head} grid
CRF_MODEL = cfg.CRFSUITE_MODEL  # the feature CRF baseline (encoder `crfsuite`, no head)
ALL_MODELS = MODELS + ([CRF_MODEL] if cfg.crfsuite_enabled(config) else [])
SEEDS = cfg.seeds(config)
# One trained model: its regime, fraction of the training documents and seed.
RUN = "{regime}/f{fraction}/seed{seed}"
REFERENCE_MODEL = f"{config['reference_encoder']}-{HEADS[0]}"
SOURCES = ["train", "test"] + (["dev"] if config["split"]["use_dev"] else [])
FULL = fraction_id(1.0)
TYPES = cfg.entity_types(config)  # the label map's targets
# (regime, split) of every sentence file whose labels are counted (study Fig. 3: both regimes).
DISTRIBUTION_PARTS = [(regime, split) for regime in REGIMES for split in ("train", "val", "test")]


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


HELD_OUT = config["corpus"]["source"] == "brat" and config["split"]["test_fraction"] is not None


def corpus_folder(source):
    """The BRAT folder of a corpus part: generated (synthetic, or the training folder with a share of its
    documents held out as the test set: split.test_fraction) or given in config."""
    if config["corpus"]["source"] == "synthetic":
        return f"{RESULTS}/corpus/{source}"
    if HELD_OUT and source in ("train", "test"):
        return f"{RESULTS}/corpus/held_out/{source}"
    return config["corpus"][source]


def corpus_input(source):
    """The corpus part's folder as a job input; a configured folder that is absent is left undeclared, so a
    dry run plans the whole DAG and build_sentences fails naming the config key when it runs."""
    folder = corpus_folder(source)
    if config["corpus"]["source"] == "synthetic" or (HELD_OUT and source in ("train", "test")):
        return folder
    if Path(folder).is_dir():
        return folder
    return []


def one_of(names):
    """A wildcard constraint matching exactly `names` (nothing when there are none)."""
    return "|".join(names) if names else "(?!)"


def source_folder(source):
    """The local folder a configured source loads from (a package's model folder), or None (hub id, scratch)."""
    if source.startswith(PACKAGE_PREFIX):
        return str(package_folder(source))
    return source if os.path.isdir(os.path.expanduser(source)) else None


def encoder_source(encoder):
    """What an encoder's jobs load: the pipeline's own folder for stand-ins and task-adapted encoders, else
    the configured source (a package source is resolved when the job loads it)."""
    source = config["encoders"][encoder]["source"]
    return f"{RESULTS}/encoders/{encoder}" if kind_of(source).built_by_pipeline else source


def architecture_source(encoder):
    """Where an encoder's architecture is read (Table I): a task-adapted encoder has its base's."""
    entry = config["encoders"][encoder]
    return entry["adapt"]["base"] if "adapt" in entry else encoder_source(encoder)


def encoder_folder(encoder):
    """The encoder's folder as a job input (built by the DAG, shipped by a package or local), or None."""
    if cfg.encoder_kind(config, encoder).built_by_pipeline:
        return f"{RESULTS}/encoders/{encoder}"
    return source_folder(config["encoders"][encoder]["source"])


def pinned(wildcards):
    """The pinned settings of the wildcards' model (training.pinned), or None when it is searched."""
    return cfg.pinned_settings(config, f"{wildcards.encoder}-{wildcards.head}")


def candidate_ids(wildcards):
    """The search candidates of the wildcards' model; none when its settings are pinned."""
    if pinned(wildcards) is not None:
        return []
    return list(cfg.candidates(config, wildcards.encoder))


def model_seeds(model):
    """Seeds a model is trained with (the feature CRF is deterministic: the first seed only)."""
    return SEEDS[:1] if model == CRF_MODEL else SEEDS


def model_runs():
    """(model, regime) pairs of the grid."""
    return [(model, regime) for model in ALL_MODELS for regime in REGIMES]


def all_runs(fractions=None):
    """Every trained model as a dict of model, regime, fraction (path form) and seed.

    Learning-curve subsets (fraction < 1) are trained with the first seed only (time budget).
    """
    runs = []
    for model, regime in model_runs():
        for fraction in fractions or cfg.fractions(config, regime, model):
            seeds = model_seeds(model) if fraction == 1.0 else model_seeds(model)[:1]
            for seed in seeds:
                runs.append({"model": model, "regime": regime, "fraction": fraction_id(fraction), "seed": seed})
    return runs


def curve_runs():
    """The runs of the learning curves: every run of the models trained at more than one fraction (of every
    model when none is: one point per model)."""
    curves = {model for model, regime in model_runs() if len(cfg.fractions(config, regime, model)) > 1}
    return [run for run in all_runs() if run["model"] in curves or not curves]


def table_runs():
    """The runs the tables report: the whole training split, every seed."""
    return [(r["model"], r["regime"], r["seed"]) for r in all_runs([1.0])]


def per_run(pattern, runs=None):
    """`pattern` (with {model}, {regime}, {fraction}, {seed}) for every run, or the given runs."""
    return [pattern.format(**run) for run in (runs if runs is not None else all_runs())]


def regime_runs(wildcards):
    """The table runs (whole training split, every seed) of one regime."""
    return [r for r in all_runs([1.0]) if r["regime"] == wildcards.regime]


def curve_subsets():
    """(regime, fraction) of every training subset file the learning curves count (fraction 1: the split itself)."""
    return [{"regime": regime, "fraction": fraction_id(f)} for regime in REGIMES for f in cfg.fractions(config, regime)]


def from_scratch_models():
    """Models trained from random initialisation (encoder kinds `scratch`, `bilstm`) and the feature CRF."""
    scratch = [e for e in ENCODERS if cfg.encoder_kind(config, e).pretraining.value == "from scratch"]
    return [m for m in ALL_MODELS if m == CRF_MODEL or cfg.split_model(m)[0] in scratch]


def pretrained_models():
    """Models whose encoder carries real pre-training (general or task-adapted; stand-ins do not)."""
    return [m for m in MODELS if cfg.encoder_kind(config, cfg.split_model(m)[0]).is_pretrained]


def per_table_run(pattern):
    return per_run(pattern, all_runs([1.0]))


def display_names():
    """Model id -> the name shown in tables and figures, e.g. `MiniLM-L6 (pre-trained)-CRF`."""
    return {model: cfg.display_name(config, model) for model in MODELS + [CRF_MODEL]}


def table_stems():
    """Every table `make_tables` writes (each as .csv, .md and .tex); Table I has its own rule."""
    stems = []
    for regime in REGIMES:
        stems += [
            f"table2_macro_bio_strict_{regime}",
            f"table3_weighted_bio_strict_{regime}",
            f"table4_ablations_{regime}",
            f"token_level_macro_{regime}",
            f"spans_official_semantics_{regime}",
            f"spans_official_semantics_per_type_{regime}",
            f"spans_{regime}",
            f"spans_per_type_{regime}",
        ]
    if len(REGIMES) > 1:
        stems.append("regime_comparison")
    return stems


def several_models():
    """Whether figures that compare models (forest plots) have more than one model to compare."""
    return len(ALL_MODELS) > 1


def learning_curves_wanted():
    """Whether any model is trained at more than one training fraction (else a curve is one point)."""
    return any(len(cfg.fractions(config, regime, model)) > 1 for model, regime in model_runs())


def all_targets():
    """What a run produces; figures and tables that would compare one thing (one regime, one model, one
    training size) are left out."""
    targets = [
        f"{RESULTS}/data/report.json",
        f"{RESULTS}/data/label_distribution.csv",
        f"{RESULTS}/figures/label_distribution.png",
    ]
    if len(REGIMES) > 1:
        targets.append(f"{RESULTS}/figures/regime_comparison.png")
    targets += [f"{RESULTS}/tables/{stem}.md" for stem in ["table1_parameters", *table_stems()]]
    targets += [f"{RESULTS}/tables/statistics_{regime}.md" for regime in REGIMES]
    if several_models():
        targets += [f"{RESULTS}/figures/forest_{regime}.png" for regime in REGIMES]
    if learning_curves_wanted():
        targets += [f"{RESULTS}/tables/learning_curves.md", f"{RESULTS}/tables/learning_curves_crossing.md"]
        targets.append(f"{RESULTS}/figures/learning_curves.png")
    targets += per_run(f"{RESULTS}/figures/runs/{{model}}/{{regime}}/report_bio_strict.png", figure_runs())
    targets += per_run(f"{RESULTS}/figures/runs/{{model}}/{{regime}}/reliability.png", figure_runs())
    targets += per_run(f"{RESULTS}/models/{{model}}/{RUN}/test_scores.json", figure_runs())
    targets += per_run(f"{RESULTS}/predictions/{{model}}/{RUN}/test.jsonl")
    targets += per_run(f"{RESULTS}/predictions/{{model}}/{RUN}/ann")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{RUN}/summary.json")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{RUN}/spans.csv")
    targets += per_run(f"{RESULTS}/eval/{{model}}/{RUN}/spans_official_semantics.csv")
    targets += [f"{RESULTS}/figures/study/{stem}.png" for stem in STUDY_FIGURES]
    targets += per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/error_taxonomy.csv")
    targets += [f"{RESULTS}/tables/error_taxonomy_{regime}.md" for regime in REGIMES]
    targets += [f"{RESULTS}/figures/error_taxonomy_{regime}.png" for regime in REGIMES]
    targets += [f"{RESULTS}/errors/{regime}/{model}.html" for regime in REGIMES for model in ALL_MODELS]
    return targets


def viewer_links(model):
    """(display name, page) of the other models' error viewers of the same regime (pages are siblings)."""
    names = display_names()
    return [(names[other], f"{other}.html") for other in ALL_MODELS if other != model]


def figure_runs():
    """Runs with per-run figures: neural models on the whole training split, first seed."""
    return [r for r in all_runs([1.0]) if r["model"] in MODELS and r["seed"] == SEEDS[0]]


def split_inputs(wildcards):
    inputs = {"train": f"{RESULTS}/data/sentences/train.jsonl", "test": f"{RESULTS}/data/sentences/test.jsonl"}
    if config["split"]["use_dev"]:
        inputs["dev"] = f"{RESULTS}/data/sentences/dev.jsonl"
    return inputs


def training_inputs(wildcards):
    """Training and validation sentences; with a `fraction` wildcard, that subset of the training documents."""
    fraction = getattr(wildcards, "fraction", FULL)
    inputs = {
        "train": f"{RESULTS}/data/{wildcards.regime}/train" + ("" if fraction == FULL else f"_f{fraction}") + ".jsonl",
        "val": f"{RESULTS}/data/{wildcards.regime}/val.jsonl",
    }
    encoder = getattr(wildcards, "encoder", None)
    if encoder in config["encoders"] and encoder_folder(encoder):
        inputs["encoder"] = encoder_folder(encoder)
    return inputs


def candidate_inputs(wildcards):
    """As `training_inputs`, with the validation split that scores candidates (protocol paper: never
    down-sampled)."""
    validation = cfg.selection_validation(config, wildcards.regime)
    return {**training_inputs(wildcards), "val": f"{RESULTS}/data/{validation}/val.jsonl"}


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
        if HELD_OUT:  # trained on the documents of corpus.train not held out as the test set
            described["held_out_test"] = {"fraction": config["split"]["test_fraction"], "seed": config["split"]["seed"]}
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
    for key in ("tokenizer", "architecture_of"):
        if key in entry:
            spec[key] = entry[key]
    return spec


def architecture_inputs(wildcards):
    """Encoders whose architecture is read from a folder: stand-ins (built by the DAG), task-adapted
    encoders (their base's), package and local folders."""
    inputs = {}
    for encoder in TRANSFORMER_ENCODERS:
        if encoder in STAND_IN_ENCODERS:
            inputs[encoder] = encoder_folder(encoder)
        elif source_folder(architecture_source(encoder)):
            inputs[encoder] = source_folder(architecture_source(encoder))
    return inputs


def architecture_spec(encoder):
    """`encoder_spec` with the folder Table I reads the architecture from."""
    return {**encoder_spec(encoder), "source": architecture_source(encoder)}


def model_units(encoder):
    """What an encoder's models label and are scored on: its `units` setting (the feature CRF: words)."""
    if encoder not in config["encoders"]:
        return "word"
    return cfg.base_settings(config, encoder).get("units", "word")


def protocol_scope():
    """What the token scores of tables and figures are, e.g. `protocol: paper, scored on sub-word tags`."""
    names = display_names()
    words = [names[m] for m in ALL_MODELS if model_units(cfg.split_model(m)[0]) == "word"]
    if len(words) == len(ALL_MODELS):
        return f"protocol: {config['protocol']}, scored on word-level tags"
    if not words:
        return f"protocol: {config['protocol']}, scored on sub-word tags"
    return f"protocol: {config['protocol']}, scored on sub-word tags ({', '.join(words)}: word-level tags)"


STUDY_FIGURES = cfg.study_figures(config)


def study_eval_file(model, figure):
    """The evaluation file a study figure's panel reads: the whole training split, first seed."""
    run = RUN.format(regime=figure["regime"], fraction=FULL, seed=SEEDS[0])
    return f"{RESULTS}/eval/{model}/{run}/{figure['file']}"


def study_figure_inputs():
    """The evaluation files the study figures read (one per panel)."""
    return sorted({study_eval_file(model, figure) for figure in STUDY_FIGURES.values() for model in figure["models"]})


def study_figure_specs():
    """Per study figure: kind, title and its panels as (display name, evaluation file), left to right."""
    names = display_names()
    return {
        stem: {
            "kind": figure["kind"],
            "title": f"{figure['title']} on the test set ({protocol_scope()})",
            "panels": [[names[model], study_eval_file(model, figure)] for model in figure["models"]],
        }
        for stem, figure in STUDY_FIGURES.items()
    }
