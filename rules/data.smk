rule build_sentences:
    """BRAT documents -> sentences with tokens, character offsets and BIO tags; counts every drop."""
    input:
        corpus=lambda wildcards: corpus_input(wildcards.source),
    output:
        sentences=f"{RESULTS}/data/sentences/{{source}}.jsonl",
        report=f"{RESULTS}/data/reports/{{source}}.json",
    params:
        folder=lambda wildcards: corpus_folder(wildcards.source),
        label_map=config["corpus"]["label_map"],
    log:
        f"{RESULTS}/logs/build_sentences/{{source}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/build_sentences/{{source}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/build_sentences.py"


rule merge_reports:
    """One report for the corpus: what was read, kept and dropped, per part."""
    input:
        expand(f"{RESULTS}/data/reports/{{source}}.json", source=SOURCES),
    output:
        f"{RESULTS}/data/report.json",
    params:
        sources=SOURCES,
        label_map=config["corpus"]["label_map"],
    log:
        f"{RESULTS}/logs/merge_reports.log",
    benchmark:
        f"{RESULTS}/benchmarks/merge_reports.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/merge_reports.py"


rule split_data:
    """9-1 split of the training documents into train/validation by document (or the shipped dev set)."""
    input:
        unpack(split_inputs),
    output:
        train=f"{RESULTS}/data/full/train.jsonl",
        val=f"{RESULTS}/data/full/val.jsonl",
        test=f"{RESULTS}/data/full/test.jsonl",
        assignment=f"{RESULTS}/data/split.tsv",
    params:
        split=config["split"],
    log:
        f"{RESULTS}/logs/split_data.log",
    benchmark:
        f"{RESULTS}/benchmarks/split_data.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/split_data.py"


rule downsample:
    """Efficient training: all-O sentences of train and validation down to target_plain_fraction; test untouched."""
    input:
        train=f"{RESULTS}/data/full/train.jsonl",
        val=f"{RESULTS}/data/full/val.jsonl",
        test=f"{RESULTS}/data/full/test.jsonl",
    output:
        train=f"{RESULTS}/data/downsampled/train.jsonl",
        val=f"{RESULTS}/data/downsampled/val.jsonl",
        test=f"{RESULTS}/data/downsampled/test.jsonl",
    params:
        downsample=config["downsample"],
    log:
        f"{RESULTS}/logs/downsample.log",
    benchmark:
        f"{RESULTS}/benchmarks/downsample.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/downsample.py"


rule label_distribution:
    """Label frequencies before and after down-sampling (study Fig. 3)."""
    input:
        [f"{RESULTS}/data/{regime}/{split}.jsonl" for regime, split in DISTRIBUTION_PARTS],
    output:
        labels=f"{RESULTS}/data/label_distribution.csv",
        sentences=f"{RESULTS}/data/sentence_counts.csv",
        png=report(
            f"{RESULTS}/figures/label_distribution.png",
            caption="../report/label_distribution.rst",
            category="Data",
        ),
        pdf=f"{RESULTS}/figures/label_distribution.pdf",
    params:
        parts=DISTRIBUTION_PARTS,
        types=TYPES,
    log:
        f"{RESULTS}/logs/label_distribution.log",
    benchmark:
        f"{RESULTS}/benchmarks/label_distribution.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/evaluate.yaml"
    script:
        "../workflow/scripts/label_distribution.py"


rule subset_train:
    """Learning curves: the sentences of a nested, seeded fraction of the training documents (validation unchanged)."""
    input:
        train=f"{RESULTS}/data/{{regime}}/train.jsonl",
        documents=f"{RESULTS}/data/full/train.jsonl",
    output:
        f"{RESULTS}/data/{{regime}}/train_f{{fraction}}.jsonl",
    params:
        fractions=lambda wildcards: cfg.fractions(config, wildcards.regime),
        seed=config["split"]["seed"],
    log:
        f"{RESULTS}/logs/subset_train/{{regime}}/f{{fraction}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/subset_train/{{regime}}/f{{fraction}}.tsv"
    threads: 1
    resources:
        mem_mb=default_resource("mem_mb"),
        runtime=default_resource("runtime"),
    conda:
        "../envs/data.yaml"
    script:
        "../workflow/scripts/subset_train.py"
