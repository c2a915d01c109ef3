from pathlib import Path

from clinical_ner.data.brat import read_corpus, read_document
from clinical_ner.logs import configure_logging
from clinical_ner.data.report import CorpusReport
from clinical_ner.evaluation.spans import score_documents

log = configure_logging(snakemake.log[0])
gold_dir, predicted_dir = Path(snakemake.input.gold), Path(snakemake.input.predicted)
gold = read_corpus(gold_dir, snakemake.params.label_map, CorpusReport())
predicted = [
    read_document(gold_dir / f"{doc.doc_id}.txt", predicted_dir / f"{doc.doc_id}.ann", None, CorpusReport())
    for doc in gold
    if (predicted_dir / f"{doc.doc_id}.ann").exists()
]
frame = score_documents(gold, predicted, snakemake.params.types)
frame.to_csv(snakemake.output[0], index=False, float_format="%.6f")
micro = frame[frame["label"] == "micro avg"].set_index("mode")["f1"]
log.info("span micro-F1: strict %.4f, lenient %.4f", micro["strict"], micro["lenient"])
