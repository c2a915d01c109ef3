rule error_taxonomy:
    """Entity-level error kinds of one run (n2c2-2018 semantics) per type: correct, wrong type, wrong boundary,
    wrong type and boundary, spurious, missed (docs/error-analysis.md)."""
    input:
        predicted=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{RUN}/ann",
        gold=lambda wildcards: corpus_input("test"),
    output:
        f"{RESULTS}/eval/{{encoder}}-{{head}}/{RUN}/error_taxonomy.csv",
    params:
        label_map=config["corpus"]["label_map"],
        types=TYPES,
    log:
        f"{RESULTS}/logs/error_taxonomy/{{encoder}}-{{head}}/{RUN}.log",
    benchmark:
        f"{RESULTS}/benchmarks/error_taxonomy/{{encoder}}-{{head}}/{RUN}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/error_taxonomy.py"


rule error_taxonomy_table:
    """The error kinds of every model of a regime (whole training split, mean over seeds): table and figure."""
    input:
        lambda wildcards: per_run(f"{RESULTS}/eval/{{model}}/{RUN}/error_taxonomy.csv", regime_runs(wildcards)),
    output:
        table=[
            f"{RESULTS}/tables/error_taxonomy_{{regime}}.csv",
            report(
                f"{RESULTS}/tables/error_taxonomy_{{regime}}.md",
                caption="../report/table.rst",
                category="Tables",
                labels={"table": "error_taxonomy_{regime}", "format": "md"},
            ),
            f"{RESULTS}/tables/error_taxonomy_{{regime}}.tex",
        ],
        figure=[
            report(
                f"{RESULTS}/figures/error_taxonomy_{{regime}}.png",
                caption="../report/error_taxonomy.rst",
                category="Error analysis",
                labels={"regime": "{regime}", "page": "error kinds (figure)"},
            ),
            f"{RESULTS}/figures/error_taxonomy_{{regime}}.pdf",
        ],
    params:
        runs=lambda wildcards: [(r["model"], r["seed"]) for r in regime_runs(wildcards)],
        names=display_names(),
    log:
        f"{RESULTS}/logs/error_taxonomy_table/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/error_taxonomy_table/{{regime}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/error_taxonomy_table.py"


rule error_viewer:
    """One self-contained HTML page of a model's test errors (whole training split, first seed), linked to the
    other models' pages of the regime."""
    input:
        predicted=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{{regime}}/f{FULL}/seed{SEEDS[0]}/ann",
        gold=lambda wildcards: corpus_input("test"),
    output:
        report(
            f"{RESULTS}/errors/{{regime}}/{{encoder}}-{{head}}.html",
            caption="../report/error_viewer.rst",
            category="Error analysis",
            labels={"regime": "{regime}", "page": "{encoder}-{head}"},
        ),
    params:
        name=lambda wildcards: display_names()[f"{wildcards.encoder}-{wildcards.head}"],
        title=lambda wildcards: f"Test-set errors of {display_names()[f'{wildcards.encoder}-{wildcards.head}']} "
        f"({wildcards.regime} training, seed {SEEDS[0]})",
        links=lambda wildcards: viewer_links(f"{wildcards.encoder}-{wildcards.head}"),
        label_map=config["corpus"]["label_map"],
        types=TYPES,
    log:
        f"{RESULTS}/logs/error_viewer/{{regime}}/{{encoder}}-{{head}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/error_viewer/{{regime}}/{{encoder}}-{{head}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/error_viewer.py"
