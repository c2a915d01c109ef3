rule generate_corpus:
    """The embedded default corpus: synthetic n2c2-2018-like discharge letters in BRAT format."""
    output:
        train=directory(f"{RESULTS}/corpus/train"),
        test=directory(f"{RESULTS}/corpus/test"),
        summary=f"{RESULTS}/corpus/summary.json",
    params:
        synthetic=config["corpus"]["synthetic"],
    log:
        f"{RESULTS}/logs/generate_corpus.log",
    benchmark:
        f"{RESULTS}/benchmarks/generate_corpus.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/generate_corpus.py"
