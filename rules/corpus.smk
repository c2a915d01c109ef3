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


rule hold_out_test:
    """A BRAT corpus without a test folder: split.test_fraction of its documents (seeded, by document) held
    out as the test set."""
    input:
        corpus=lambda wildcards: config["corpus"]["train"] if Path(config["corpus"]["train"]).is_dir() else [],
    output:
        train=directory(f"{RESULTS}/corpus/held_out/train"),
        test=directory(f"{RESULTS}/corpus/held_out/test"),
        assignment=f"{RESULTS}/corpus/held_out/documents.json",
    params:
        folder=config["corpus"]["train"],
        split=config["split"],
    log:
        f"{RESULTS}/logs/hold_out_test.log",
    benchmark:
        f"{RESULTS}/benchmarks/hold_out_test.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/hold_out_test.py"
