# Regenerates "Exploring the Value of Pre-trained Language Models for Clinical Named Entity Recognition"
# (Belkadi, Han, Wu, Nenadic) from one DAG:
# corpus -> sentences -> split -> down-sampled -> models -> predictions -> metrics -> tables/figures.

configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/corpus.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/evaluate.smk"
include: "rules/report.smk"


rule all:
    input:
        all_targets(),
    default_target: True
