rule evaluate:
    """BIO-strict and token-level reports, confusion matrices and the token-level ablations of one run."""
    input:
        predictions=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{RUN}/test.jsonl",
    output:
        bio_strict=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/bio_strict.csv",
        token_level=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/token_level.csv",
        confusion_bio=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/confusion_bio.csv",
        confusion_token=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/confusion_token.csv",
        ablations=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/ablations.csv",
        summary=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/summary.json",
    params:
        types=TYPES,
        units=lambda wildcards: model_units(wildcards.encoder),
        protocol=config["protocol"],
    log:
        f"{RESULTS}/logs/evaluate/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{encoder}}-{{head}}/{RUN}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/evaluate.py"


rule score_spans:
    """Entity-level strict and lenient scores on character spans against the gold .ann: the official n2c2-2018
    track 2 semantics (headline) and one-to-one matching."""
    input:
        predicted=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{RUN}/ann",
        gold=lambda wildcards: corpus_input("test"),
    output:
        official_semantics=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/spans_official_semantics.csv",
        one_to_one=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/spans.csv",
    params:
        label_map=config["corpus"]["label_map"],
        types=TYPES,
    log:
        f"{RESULTS}/logs/score_spans/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/score_spans/{{encoder}}-{{head}}/{RUN}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/score_spans.py"


rule model_test_scores:
    """The final model's test scores beside its folder (the model card points here; the model itself never
    depends on test results)."""
    input:
        model=f"{RESULTS}/models/{{encoder}}-{{head}}/{RUN}/final",
        summary=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/summary.json",
        official_semantics=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/spans_official_semantics.csv",
        one_to_one=f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/spans.csv",
    output:
        f"{RESULTS}/models/{{encoder}}-{{head}}/{RUN}/test_scores.json",
    log:
        f"{RESULTS}/logs/model_test_scores/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/model_test_scores/{{encoder}}-{{head}}/{RUN}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/model_test_scores.py"


rule plot_calibration:
    """Reliability diagram and table of the test-set confidences (tokens and entities), with the ECE (the
    model trained on the whole training split with the first seed)."""
    input:
        f"{RESULTS}/predictions/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/test.jsonl",
    output:
        table=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/calibration.csv",
        png=report(
            f"{RESULTS}/figures/runs/{{encoder}}-{{head}}/{{regime}}/reliability.png",
            caption="../report/reliability.rst",
            category="Per-run figures",
            subcategory="{encoder}-{head} ({regime})",
            labels={"model": "{encoder}-{head}", "regime": "{regime}", "figure": "reliability"},
        ),
        pdf=f"{RESULTS}/figures/runs/{{encoder}}-{{head}}/{{regime}}/reliability.pdf",
    params:
        name=lambda wildcards: display_names()[f"{wildcards.encoder}-{wildcards.head}"],
        bins=10,
    log:
        f"{RESULTS}/logs/plot_calibration/{{encoder}}-{{head}}/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/plot_calibration/{{encoder}}-{{head}}/{{regime}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/plot_calibration.py"


rule statistics:
    """95% bootstrap intervals over test documents of the headline scores (mean over seeds) and paired tests
    of every model against the reference model; the forest plot."""
    input:
        predictions=lambda wildcards: per_run(
            f"{RESULTS}/predictions/{{model}}/{RUN}/test.jsonl", regime_runs(wildcards)
        ),
        ann=lambda wildcards: per_run(f"{RESULTS}/predictions/{{model}}/{RUN}/ann", regime_runs(wildcards)),
        gold=lambda wildcards: corpus_input("test"),
    output:
        **({"forest": multiext(f"{RESULTS}/figures/forest_{{regime}}", ".png", ".pdf")} if several_models() else {}),
        raw=f"{RESULTS}/eval/statistics_{{regime}}.csv",
        table=multiext(f"{RESULTS}/tables/statistics_{{regime}}", ".csv", ".md", ".tex"),
    params:
        runs=lambda wildcards: [(r["model"], r["seed"]) for r in regime_runs(wildcards)],
        units=lambda wildcards: [model_units(cfg.split_model(r["model"])[0]) for r in regime_runs(wildcards)],
        names=display_names(),
        reference=REFERENCE_MODEL,
        label_map=config["corpus"]["label_map"],
        types=TYPES,
        statistics=config["statistics"],
    log:
        f"{RESULTS}/logs/statistics/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/statistics/{{regime}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/statistics.py"
