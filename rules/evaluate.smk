EVAL_FILES = ["bio_strict.csv", "token_level.csv", "confusion_bio.csv", "confusion_token.csv", "ablations.csv", "summary.json"]


rule evaluate:
    """BIO-strict and token-level reports, confusion matrices and the token-level ablations of one run."""
    input:
        f"{RESULTS}/predictions/{{encoder}}-{{head}}/{{regime}}/test.jsonl",
    output:
        [f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/{name}" for name in EVAL_FILES],
    params:
        types=TYPES,
    log:
        f"{RESULTS}/logs/evaluate/{{encoder}}-{{head}}/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{encoder}}-{{head}}/{{regime}}.tsv"
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
        predicted=f"{RESULTS}/predictions/{{encoder}}-{{head}}/{{regime}}/ann",
        gold=lambda wildcards: corpus_folder("test"),
    output:
        n2c2=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/spans_n2c2.csv",
        one_to_one=f"{RESULTS}/eval/{{encoder}}-{{head}}/{{regime}}/spans.csv",
    params:
        label_map=config["corpus"]["label_map"],
        types=TYPES,
    log:
        f"{RESULTS}/logs/score_spans/{{encoder}}-{{head}}/{{regime}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/score_spans/{{encoder}}-{{head}}/{{regime}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/score_spans.py"
