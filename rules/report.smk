RUN_FIGURES = [
    "report_bio_strict",
    "report_token_level",
    "confusion_bio",
    "confusion_token",
    "confusion_token_counts",
    "training_curves",
]


rule table_parameters:
    """Table I: parameters of every model and their change relative to the reference encoder's."""
    input:
        f"{RESULTS}/models/parameters.csv",
    output:
        [
            (
                report(
                    f"{RESULTS}/tables/table1_parameters.{ext}",
                    caption="../report/table.rst",
                    category="Tables",
                    labels={"table": "table1_parameters", "format": ext},
                )
                if ext == "md"
                else f"{RESULTS}/tables/table1_parameters.{ext}"
            )
            for ext in ("csv", "md", "tex")
        ],
    params:
        names=display_names(),
        reference=config["reference_encoder"],
        reference_label=cfg.encoder_label(config, config["reference_encoder"]),
    log:
        f"{RESULTS}/logs/table_parameters.log",
    benchmark:
        f"{RESULTS}/benchmarks/table_parameters.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/table_parameters.py"


rule make_tables:
    """Tables II-IV, token-level, full vs down-sampled and span-level comparisons (CSV, Markdown, LaTeX)."""
    input:
        bio_strict=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/bio_strict.csv"),
        token_level=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/token_level.csv"),
        ablations=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/ablations.csv"),
        spans=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/spans.csv"),
        spans_official_semantics=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/spans_official_semantics.csv"),
        statistics=expand(f"{RESULTS}/eval/statistics_{{regime}}.csv", regime=REGIMES),
    output:
        # one named output per table: stem -> its .csv, .md (in the report) and .tex
        **{
            stem: [
                f"{RESULTS}/tables/{stem}.csv",
                report(
                    f"{RESULTS}/tables/{stem}.md",
                    caption="../report/table.rst",
                    category="Tables",
                    labels={"table": stem, "format": "md"},
                ),
                f"{RESULTS}/tables/{stem}.tex",
            ]
            for stem in table_stems()
        },
    params:
        runs=table_runs(),
        names=display_names(),
        regimes=REGIMES,
        scope=protocol_scope(),
        types=TYPES,
    log:
        f"{RESULTS}/logs/make_tables.log",
    benchmark:
        f"{RESULTS}/benchmarks/make_tables.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/make_tables.py"


rule plot_run:
    """Per-run figures (whole training split, first seed): classification-report heatmaps, confusion matrices,
    training curves."""
    input:
        bio_strict=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/bio_strict.csv",
        token_level=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/token_level.csv",
        confusion_bio=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/confusion_bio.csv",
        confusion_token=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/confusion_token.csv",
        candidates=candidate_dirs,
        final=f"{RESULTS}/models/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/final",
    output:
        **{
            name: [
                report(
                    f"{RESULTS}/figures/runs/{{encoder}}-{{head}}/{{regime}}/{name}.png",
                    caption="../report/run_figure.rst",
                    category="Per-run figures",
                    subcategory="{encoder}-{head} ({regime})",
                    labels={"model": "{encoder}-{head}", "regime": "{regime}", "figure": name},
                ),
                f"{RESULTS}/figures/runs/{{encoder}}-{{head}}/{{regime}}/{name}.pdf",
            ]
            for name in RUN_FIGURES
        },
    params:
        name=lambda wildcards: display_names()[f"{wildcards.encoder}-{wildcards.head}"],
        retrained=lambda wildcards: config["training"]["retrain_on_train_val"] or pinned(wildcards) is not None,
    log:
        f"{RESULTS}/logs/plot_run/{{encoder}}-{{head}}/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/plot_run/{{encoder}}-{{head}}/{{regime}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/plot_run.py"


rule plot_comparison:
    """Macro-F1 of every model, full vs down-sampled training (BIO-strict and entity-level)."""
    input:
        evaluations=per_table_run(f"{RESULTS}/eval/{{model}}/{RUN}/summary.json"),
    output:
        png=report(
            f"{RESULTS}/figures/regime_comparison.png",
            caption="../report/regime_comparison.rst",
            category="Comparisons",
        ),
        pdf=f"{RESULTS}/figures/regime_comparison.pdf",
    params:
        runs=table_runs(),
        names=display_names(),
    log:
        f"{RESULTS}/logs/plot_comparison.log",
    benchmark:
        f"{RESULTS}/benchmarks/plot_comparison.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/plot_comparison.py"


rule learning_curves:
    """Test macro BIO-strict F1 and strict n2c2 span F1 against the number of training sentences and documents,
    one line per model, and where pre-trained encoders stop beating the from-scratch models."""
    input:
        evaluations=per_run(f"{RESULTS}/eval/{{model}}/{RUN}/summary.json", curve_runs()),
        spans=per_run(f"{RESULTS}/eval/{{model}}/{RUN}/spans_official_semantics.csv", curve_runs()),
        train=per_run(f"{RESULTS}/data/{{regime}}/train_f{{fraction}}.jsonl", curve_subsets()),
    output:
        table=multiext(f"{RESULTS}/tables/learning_curves", ".csv", ".md", ".tex"),
        crossing=multiext(f"{RESULTS}/tables/learning_curves_crossing", ".csv", ".md", ".tex"),
        png=report(
            f"{RESULTS}/figures/learning_curves.png", caption="../report/learning_curves.rst", category="Comparisons"
        ),
        pdf=f"{RESULTS}/figures/learning_curves.pdf",
    params:
        runs=[(r["model"], r["regime"], r["fraction"], r["seed"]) for r in curve_runs()],
        subsets=[(r["regime"], r["fraction"]) for r in curve_subsets()],
        names=display_names(),
        from_scratch=from_scratch_models(),
        pretrained=pretrained_models(),
        retrain=config["training"]["retrain_on_train_val"],
    log:
        f"{RESULTS}/logs/learning_curves.log",
    benchmark:
        f"{RESULTS}/benchmarks/learning_curves.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/learning_curves.py"


rule plot_study_figures:
    """The study's figures as it lays them out (Figs. 4-13), for the models of `figures.encoders`."""
    input:
        study_figure_inputs(),
    output:
        [
            report(
                f"{RESULTS}/figures/study/{stem}.png",
                caption="../report/study_figure.rst",
                category="Study figures",
                labels={"figure": stem},
            )
            for stem in STUDY_FIGURES
        ],
        [f"{RESULTS}/figures/study/{stem}.pdf" for stem in STUDY_FIGURES],
    params:
        figures=study_figure_specs(),
    log:
        f"{RESULTS}/logs/plot_study_figures.log",
    benchmark:
        f"{RESULTS}/benchmarks/plot_study_figures.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/plot_study_figures.py"
