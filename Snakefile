# Regenerates "Exploring the Value of Pre-trained Language Models for Clinical Named Entity Recognition"
# (Belkadi, Han, Wu, Nenadic) from one DAG:
# corpus -> sentences -> split -> down-sampled -> models -> predictions -> metrics -> tables/figures.

import os
import sys

# The library lives in src/: importable here and, through PYTHONPATH, in every job (local, SLURM,
# or --use-conda environments, which install only the pinned dependencies).
LIBRARY = os.path.join(workflow.basedir, "src")
if LIBRARY not in sys.path:
    sys.path.insert(0, LIBRARY)
os.environ.update(PYTHONPATH=os.pathsep.join(filter(None, [LIBRARY, os.environ.get("PYTHONPATH")])))


configfile: "config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/corpus.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/evaluate.smk"
include: "rules/errors.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        all_targets(),
