"""The ``arabic-events`` command line: one entry point for every job of the project.

User errors (a missing file, a bad annotation) end in one specific line on
stderr and exit status 1, never a traceback; usage errors (a misspelt command, a
missing option) end in click's short usage message and exit status 2.

One option style: a command's input is an argument, its output ``-o/--output``
(``-`` for standard output where the output is one file). Spellings of earlier
versions (``evaluate --data/--out``, ``retrain --add``, ``crossval --out``, ...)
are kept as hidden options so that scripts keep working.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console

from active.strategies import Strategy
from model.articles import read_articles
from model.atomic import (
    atomic_write_text, check_distinct_outputs, check_output, check_output_dir, is_stdout, make_output_dir, write_jsonl,
)
from model.corpus_io import read_corpus, read_documents, write_documents
from model.errors import AnnotationProblems, UserError
from model.interchange import detect_format, export_doccano, export_label_studio, import_annotations, is_doccano_export
from model.operating_point import MIN_GOLD_EVENTS
from model.precisions import PRECISIONS
from model.validation import Problem, is_event_record, iter_json_lines, read_bytes, validate_files, whole_json
from model.wording import counted, printable

app = typer.Typer(
    help="Find attacks and retaliations, their triggers and arguments, in Arabic news.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # click's plain help and short usage errors
)
# Tables stay readable when the output goes to a file or a pipe (where rich assumes 80 columns).
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


class ImportFormat(str, Enum):
    label_studio = "label-studio"
    doccano = "doccano"


Precision = Enum("Precision", [(p, p) for p in PRECISIONS], type=str)


def choices(enum: type[Enum]) -> str:
    """The metavar of a choice option, as click shows one: ``[a|b|c]``."""
    return "[" + "|".join(member.value for member in enum) + "]"


def _console_beside(*outputs: Path | str | None) -> Console:
    """Where a command's tables and summaries go: stdout, unless one of its ``outputs`` is stdout (``-``)."""
    return err if any(path is not None and is_stdout(path) for path in outputs) else console


def _say_done(message: object, output: Path) -> None:
    """The closing summary: on stdout, unless stdout holds the output itself."""
    _console_beside(output).print(printable(str(message)), highlight=False, markup=False)


def _say_written(*paths: Path | str | None) -> None:
    """``wrote FILE`` for each file given; standard output (``-``) is no file to name."""
    shown = _console_beside(*paths)
    for path in paths:
        if path is not None and not is_stdout(path):
            shown.print(f"wrote {path}", highlight=False, markup=False)


T = TypeVar("T")


def _spelt_once(ctx: typer.Context, value: T | None, old_value: T | None, what: str, required: bool = True) -> T | None:
    """The value of a parameter given in its documented spelling or in its old, hidden one.

    ``what`` names the parameter as click's usage errors do ("option '-o' / '--output'"); giving
    it twice, or not at all when it is ``required``, is a usage error.
    """
    if value and old_value:
        ctx.fail(f"{what[0].upper()}{what[1:]} given twice (also in its old spelling).")
    chosen = value or old_value or None
    if chosen is None and required:
        ctx.fail(f"Missing {what}.")
    return chosen


def _show_version(show: bool) -> None:
    if show:
        from importlib.metadata import version

        print(f"arabic-events {version('arabic-events')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", help="Show the version and exit.", callback=_show_version, is_eager=True),
) -> None:
    pass


@app.command()
def validate(files: list[Path] = typer.Argument(..., metavar="FILE", help="Annotated JSONL files.")) -> None:
    """Check annotated JSONL files against the scheme; list every problem as file:line: message."""
    for path in files:
        _check_annotated_jsonl(path)
    resolved = [path.resolve() for path in files]
    for k, path in enumerate(files):
        if resolved[k] in resolved[:k]:
            raise UserError(f"{path}: the same file as {files[resolved.index(resolved[k])]}, given twice")
    documents, problems = validate_files(files)
    for problem in problems:
        print(problem)
    if problems:
        err.print(f"[red]{counted(len(problems), 'problem')}[/] in {counted(len(files), 'file')}")
        raise typer.Exit(1)
    spans = sum(len(d.spans) for d in documents)
    sentences = sum(len(d.sentences) for d in documents)
    console.print(f"ok: {counted(len(documents), 'document')}, {counted(sentences, 'sentence')}, {counted(spans, 'span')}")


def _check_annotated_jsonl(path: Path) -> None:
    """Refuse in one line what is not annotated JSONL at all, rather than list every line as a problem:
    a Label Studio or doccano export, event records, or a file with nothing in it (no documents is no "ok").
    A JSON array that is no export is one problem of ``validate_files``."""
    data = read_bytes(path)
    lines = [value for _, value in iter_json_lines(data, str(path))]
    if not lines:
        raise UserError(f"{path}: the file is empty: no documents to validate")
    export = None if whole_json(data) == [] else "a Label Studio JSON export" if detect_format(path) == "label-studio" else (
        "a doccano JSONL export" if is_doccano_export(path) else None)
    if export:
        raise UserError(f"{path}: {export}, not annotated JSONL; convert it first: arabic-events import {path} -o FILE.jsonl")
    if all(is_event_record(value) for value in lines):
        raise UserError(f"{path}: event records, not annotated JSONL; score them with: arabic-events evaluate --records {path}")


@app.command("import")
def import_(
    export_file: Path = typer.Argument(..., metavar="EXPORT", help="The tool's export file."),
    source: ImportFormat = typer.Option(
        None, "--from", metavar=choices(ImportFormat), help="The tool that wrote the file (default: recognised from the file)."
    ),
    output: Path = typer.Option(..., "-o", "--output", metavar="FILE", help="JSONL file to write ('-': standard output)."),
    accept_predictions: bool = typer.Option(
        False, "--accept-predictions",
        help="Label Studio: take the pre-annotations of tasks no annotator touched as annotations (marked in meta)."),
    keep_empty: bool = typer.Option(
        False, "--keep-empty",
        help="doccano: import documents without labels as negatives (its export cannot tell them from unlabelled ones)."),
) -> None:
    """Convert a Label Studio JSON export or a doccano JSONL export to the corpus format.

    Only finished annotations become documents. Label Studio: a task's completed annotation (not
    skipped, not a draft; the ground truth, else the latest), and a completed annotation without
    regions is kept as a negative; tasks without one are skipped and listed. doccano: documents
    without labels are skipped unless --keep-empty.
    """
    check_output(output, [export_file])
    summary = import_annotations(source and source.value, export_file, accept_predictions, keep_empty)
    if not summary.documents:
        found = summary.skipped_line() if summary.skipped else f"it holds no {summary.item}"
        raise UserError(f"nothing to import from {export_file}: {found}; {output} not written")
    write_documents(output, summary.documents)
    _say_done(summary.describe(str(output)), output)


@app.command()
def export(
    corpus: Path = typer.Argument(..., metavar="CORPUS", help="Annotated JSONL file."),
    to: ImportFormat = typer.Option(..., "--to", metavar=choices(ImportFormat), help="The tool to export for."),
    output: Path = typer.Option(..., "-o", "--output", metavar="FILE", help="File to write ('-': standard output)."),
) -> None:
    """Export annotations as Label Studio tasks with pre-annotations, or as doccano JSONL."""
    check_output(output, [corpus])
    documents = read_documents(corpus)
    if not documents:
        raise UserError(f"{corpus}: the file is empty: no documents to export; nothing was written")
    if to is ImportFormat.label_studio:
        atomic_write_text(output, json.dumps(export_label_studio(documents), ensure_ascii=False, indent=1))
        _say_done(f"wrote {counted(len(documents), 'task')} to {output}; label config: annotations/label-studio-config.xml", output)
    else:
        write_jsonl(output, export_doccano(documents))
        _say_done(f"wrote {counted(len(documents), 'record')} to {output}", output)


PROJECT_ROOT = Path(__file__).resolve().parent.parent
corpus_app = typer.Typer(help="The annotated corpus: fetch stand-off texts, export, statistics.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _note(message: str) -> None:
    err.print(message, highlight=False, markup=False)


def _standoff_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "annotations" / "standoff").glob("*.jsonl"))


def _corpus_files() -> list[Path]:
    annotations = PROJECT_ROOT / "annotations"
    return [annotations / "corpus.jsonl", *_standoff_files(), annotations / "contrast.jsonl"]


@corpus_app.command("fetch")
def corpus_fetch(
    ctx: typer.Context,
    source: Path = typer.Option(None, "--from", metavar="DIR", help="A local copy of the ready texts (e.g. ../shared/corpus-extra)."),
    origins_dir: Path = typer.Option(
        None, "--origins", metavar="DIR", help="A local copy of the origin files (e.g. ../shared/corpus-origins)."
    ),
    texts: Path = typer.Option(
        None, "-o", "--output", metavar="DIR", help="Where to put the texts (default: corpus-texts/ or $ARABIC_EVENTS_TEXTS)."
    ),
    texts_old: Path = typer.Option(None, "--texts", hidden=True),
    timeout: float = typer.Option(
        30.0, "--timeout", min=0.1, metavar="SECONDS", help="Seconds to wait for a download to connect or send data."
    ),
) -> None:
    """Fill the texts folder that the stand-off annotations join with, checking every sha256.

    With no option, download each origin file once from its public URL at the
    pinned commit and derive the texts with the recipes in annotations/standoff/origins/.
    """
    from model.standoff import default_texts_dir, fetch_texts
    from origins.derive import fetch_from_origins

    if source is not None and origins_dir is not None:
        raise UserError("give either --from (ready texts) or --origins (origin files), not both")
    folder = _spelt_once(ctx, texts, texts_old, "option '-o' / '--output'", required=False) or default_texts_dir()
    check_output_dir(folder)
    if source is not None:
        written = fetch_texts(source, folder, _standoff_files())
    else:
        written = fetch_from_origins(_standoff_files(), folder, origins_dir, timeout=timeout, say=_note, console=err)
    how = "derived from the origins" if source is None else "copied"
    for name, count in written.items():
        console.print(f"{name}: {counted(count, 'text')} {how}, sha256 checked -> {folder / name}")


@corpus_app.command("recipes")
def corpus_recipes(
    origins_dir: Path = typer.Option(
        ..., "--origins", metavar="DIR", help="A local copy of the origin files (e.g. ../shared/corpus-origins)."
    ),
    source: Path = typer.Option(..., "--from", metavar="DIR", help="The texts to make recipes for (e.g. ../shared/corpus-extra)."),
    output: Path = typer.Option(
        None, "-o", "--output", metavar="DIR", help="Folder to write the recipes to (default: annotations/standoff/origins/)."
    ),
) -> None:
    """Rebuild the recipes that derive each text from its origin file (offsets, never copied text)."""
    from origins.build import build_recipes
    from origins.manifest import RECIPES_DIR

    check_output_dir(output or RECIPES_DIR)
    written = build_recipes(origins_dir, source, output or RECIPES_DIR, say=_note)
    console.print(f"wrote the recipes of {counted(sum(written.values()), 'text')} to {output or RECIPES_DIR}")


@corpus_app.command("export")
def corpus_export(
    output: Path = typer.Option(..., "-o", "--output", metavar="FILE", help="JSONL file to write ('-': standard output)."),
    texts: Path = typer.Option(None, "--texts", metavar="DIR", help="The fetched texts folder (default: corpus-texts/)."),
) -> None:
    """Write the whole joined corpus (seeds, stand-off records with their texts, contrast set) as full JSONL."""
    check_output(output, _corpus_files())
    documents = read_corpus(_corpus_files(), texts, say=_note)
    write_documents(output, documents)
    _say_done(f"wrote {counted(len(documents), 'document')} to {output}", output)


@corpus_app.command("stats")
def corpus_stats(
    texts: Path = typer.Option(None, "--texts", metavar="DIR", help="The fetched texts folder (default: corpus-texts/)."),
) -> None:
    """Documents, sentences and spans per label, per source file."""
    from rich.table import Table

    from model.labels import SPAN_LABELS

    table = Table(title="corpus", title_justify="left")
    for column in ("source", "documents", "sentences", "event sentences", *SPAN_LABELS):
        table.add_column(column, justify="left" if column == "source" else "right")
    totals = [0] * (3 + len(SPAN_LABELS))
    for path in _corpus_files():
        documents = read_corpus([path], texts, say=_note)
        if not documents:
            continue
        sentences = [(d, s) for d in documents for s in d.sentences]
        row = [len(documents), len(sentences), sum(1 for d, s in sentences if d.event_types(s))]
        row += [sum(1 for d in documents for s in d.spans if s.label == label) for label in SPAN_LABELS]
        totals = [a + b for a, b in zip(totals, row)]
        table.add_row({"corpus": "seeds"}.get(path.stem, path.stem), *map(str, row))
    table.add_row("all", *map(str, totals), style="bold")
    console.print(table)


def _data_paths(config_data: tuple[str, ...], override: list[Path] | None) -> list[Path]:
    if override:
        return list(override)
    return [p if p.is_absolute() else PROJECT_ROOT / p for p in map(Path, config_data)]


PRECISION_HELP = "Inference precision: auto (bf16 where the CPU has it natively, else fp32, as the service), fp32, bf16 or int8."


def _load_config(path: Path):
    from training.config import TrainConfig

    return TrainConfig.from_yaml(path)


@app.command()
def train(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", metavar="FILE", help="Training config (YAML)."),
    data: list[Path] = typer.Option(None, "--data", metavar="FILE", help="Annotated JSONL files (default: the config's; repeatable)."),
    output: Path = typer.Option(None, "-o", "--output", metavar="DIR", help="Also save the model to this folder."),
    holdout: int = typer.Option(
        0, "--holdout", min=0, metavar="N",
        help="Hold out this many incidents of real articles (never contrast documents) and report metrics on them.",
    ),
    store: bool = typer.Option(True, "--store/--no-store", help="Save to the BentoML model store."),
    promote_model: bool = typer.Option(True, "--promote/--no-promote", help="Make the stored model the served one."),
) -> None:
    """Fine-tune the tagger, store it in the BentoML model store as arabic-event-tagger and promote it:
    the next 'arabic-events serve' serves it (train itself starts no server)."""
    from training.evaluation import predict_documents
    from training.folds import held_out_folds
    from training.metrics import score
    from training.reports import scores_table
    from training.store import inference_settings, promote, save_to_store
    from training.trainer import train as run_training
    from model.predictor import EventExtractor

    if output:
        check_output_dir(output)
    config = _load_config(config_file)
    documents = read_corpus(_data_paths(config.data, data), say=_note)
    held: list = []
    if holdout:
        groups = held_out_folds(documents, None, config.seed)  # one incident of real articles each
        if holdout > len(groups) or sum(map(len, groups[:holdout])) >= len(documents):
            raise UserError(f"--holdout {holdout}: the data has {counted(len(groups), 'incident')} of real articles to hold out, "
                            "and some documents must be left to train on")
        held_ids = {i for fold in groups[:holdout] for i in fold}
        held = [d for i, d in enumerate(documents) if i in held_ids]
        documents = [d for i, d in enumerate(documents) if i not in held_ids]
    sentences = sum(len(d.sentences) for d in documents)
    console.print(f"training on {counted(len(documents), 'document')}, {counted(sentences, 'sentence')}; backbone {config.backbone}")
    result = run_training(config, documents)
    metrics = {}
    if held:
        extractor = EventExtractor(result.model, result.tokenizer, **inference_settings(config))
        metrics = score(held, predict_documents(extractor, held))
        console.print(scores_table(f"held-out: {', '.join(d.id for d in held)}", {"model": metrics}))
    console.print(
        f"done: {counted(result.epochs, 'epoch')}, {counted(result.steps, 'step')}, {result.seconds:.0f} s, final loss {result.final_loss:.4f}"
    )
    if output:
        make_output_dir(output)
        result.model.save_pretrained(output)
        result.tokenizer.save_pretrained(output)
        console.print(f"saved to {output}")
    if store:
        tag = save_to_store(result, config, documents, {"holdout": metrics} if metrics else None)
        if promote_model:
            promote(tag)
        console.print(f"stored as {tag}" + (" and promoted: it is the served model now" if promote_model else ""))


def _fold_count(minimum: int, zero_means: str | None = None):
    """A ``--folds`` check: at least ``minimum`` folds (or 0, when ``zero_means`` something)."""

    def check(value: int) -> int:
        if value < minimum and not (value == 0 and zero_means):
            allowed = f"0 ({zero_means}) or at least {minimum}" if zero_means else f"at least {minimum}"
            raise typer.BadParameter(f"{counted(value, 'fold')}: give {allowed}.")
        return value

    return check


FRESH_HELP = "Train every fold again, ignoring the folds an interrupted run of the same command finished (kept in NAME.folds/)."


def _fold_cache(output: Path, fresh: bool, *other_outputs: Path | None) -> Any:
    """The ``FoldCache`` where a cross-validation writing ``output`` keeps its finished folds (none for standard output),
    checked before any work: the folder must be free to be one, and no output may be it."""
    from training.fold_cache import FoldCache, cache_beside

    cache = FoldCache(None if is_stdout(output) else cache_beside(output))
    if cache.folder is None:
        return cache
    if any(path is not None and path.resolve() == cache.folder.resolve() for path in (output, *other_outputs)):
        raise UserError(f"{cache.folder}: the folder where finished folds are kept; give the output another name")
    if cache.folder.exists() and not cache.folder.is_dir():
        raise UserError(f"{cache.folder}: exists and is not a folder (finished folds are kept there); move it away")
    kept = len(list(cache.folder.glob("*.json"))) if cache.folder.is_dir() else 0
    if fresh and kept:
        cache.clear()
        _note(f"note: --fresh: removed {counted(kept, 'finished fold')} kept in {cache.folder}/")
    elif kept:
        _note(f"note: {cache.folder}/ keeps {counted(kept, 'finished fold')} of an earlier run; those of this same run "
              "are not trained again (--fresh trains every fold)")
    return cache


@app.command()
def crossval(
    ctx: typer.Context,
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", metavar="FILE", help="Training config (YAML)."),
    data: list[Path] = typer.Option(None, "--data", metavar="FILE", help="Annotated JSONL files (default: the config's; repeatable)."),
    folds: int = typer.Option(
        0, "--folds", metavar="N", callback=_fold_count(2, "leave one article out"),
        help="Number of folds by document (0: leave one article out).",
    ),
    test_on: list[Path] = typer.Option(
        None, "--test-on", metavar="FILE",
        help="Hold out only the documents of these files (one of the training files); the rest train in every fold.",
    ),
    output: Path = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Where to write per-fold and pooled metrics (default: crossval.json)."
    ),
    out_old: Path = typer.Option(None, "--out", hidden=True),
    predictions: Path = typer.Option(
        None, "--predictions", metavar="FILE",
        help="Where to write the fold models' responses for the held-out articles, as 'tag' writes them "
             "(default: beside the output, NAME.predictions.jsonl).",
    ),
    fresh: bool = typer.Option(False, "--fresh", help=FRESH_HELP),
) -> None:
    """Cross-validate by document, with the trivial baselines side by side; write JSON."""
    from training.crossval import crossvalidate
    from training.reports import per_source_table, predictions_beside, scores_table

    output = _spelt_once(ctx, output, out_old, "option '-o' / '--output'", required=False) or Path("crossval.json")
    check_output(output, [config_file, *(data or []), *(test_on or [])])
    predictions = predictions or (None if is_stdout(output) else predictions_beside(output))
    if predictions is not None:
        check_output(predictions, [output, config_file, *(data or []), *(test_on or [])])
    config = _load_config(config_file)
    paths = _data_paths(config.data, data)
    documents = read_corpus(paths, say=_note)
    sources = {d.id: path.stem for path in paths for d in read_corpus([path], say=lambda _: None)}
    testable = None
    if test_on:
        testable = {d.id for d in read_corpus(test_on, say=_note)}
        if not any(d.id in testable for d in documents):
            raise UserError(f"no document of {', '.join(map(str, test_on))} is in the training data")
    if len(documents) < 2:
        raise UserError("cross-validation needs at least two documents and some left to train on")
    tested = len(testable) if testable is not None else len(documents)
    if folds > tested:
        raise UserError(f"--folds {folds}: more folds than the {counted(tested, 'document')} to test on")
    cache = _fold_cache(output, fresh, predictions)
    result = crossvalidate(config, documents, folds or None, err, testable, sources, cache)
    responses = result.pop("responses")
    if predictions is not None:
        write_jsonl(predictions, responses)
    atomic_write_text(output, json.dumps(result, ensure_ascii=False, indent=1))
    cache.clear()
    pooled = result["pooled"]
    _say_done(scores_table(f"pooled over {result['folds']} folds", {"model": pooled["model"], "baseline": pooled["baseline"]}), output)
    if len(result["per_source"]) > 1:
        _say_done(per_source_table(result["per_source"]), output)
    for note in result["notes"]:
        _say_done(f"note: {note}", output)
    _say_done(f"wrote {output}" + (f" and {predictions}" if predictions is not None and not is_stdout(predictions) else ""), output)


@app.command()
def ablation(
    ctx: typer.Context,
    config_file: Path = typer.Option(
        Path("configs/default.yaml"), "--config", metavar="FILE", help="Config of the settings with more than the seeds."
    ),
    seeds_config: Path = typer.Option(Path("configs/seeds.yaml"), "--seeds-config", metavar="FILE", help="Config of the seeds-only setting."),
    folds: int = typer.Option(3, "--folds", metavar="N", callback=_fold_count(2), help="Folds by document over the real texts."),
    output: Path = typer.Option(
        None, "-o", "--output", metavar="FILE", help="Where to write the scores (default: reports/ablation.json)."
    ),
    out_old: Path = typer.Option(None, "--out", hidden=True),
    fresh: bool = typer.Option(False, "--fresh", help=FRESH_HELP),
) -> None:
    """Cross-validate seeds only, then + Syrian Archive, + Wikinews, + UN sentences, + contrast set; per source and pooled."""
    from training.ablation import SOURCE_FILES, ablate, cumulative_settings
    from training.reports import ablation_table, predictions_beside

    output = _spelt_once(ctx, output, out_old, "option '-o' / '--output'", required=False) or Path("reports/ablation.json")
    check_output(output, [config_file, seeds_config])
    sources = {name: read_corpus([path], say=_note) for name, path in SOURCE_FILES.items()}
    missing = [name for name, docs in sources.items() if not docs]
    if missing:
        raise UserError(f"the ablation needs every source; missing: {', '.join(missing)} (run 'make corpus-texts')")
    config = _load_config(config_file)
    settings = cumulative_settings(_load_config(seeds_config), config)

    responses_dir = None if is_stdout(output) else predictions_beside(output, folder=True)

    def save(partial: dict) -> None:
        # responses quote the texts, which the repository never keeps: they go to a folder of their own
        for setting in partial["settings"].values():
            responses = setting.pop("responses", None)
            if responses is not None and responses_dir is not None:
                make_output_dir(responses_dir)
                write_jsonl(responses_dir / f"{setting['train_sources'][-1]}.jsonl", responses)
        atomic_write_text(output, json.dumps(partial, ensure_ascii=False, indent=1))

    # a file keeps every finished setting of a long run; standard output gets the result once
    cache = _fold_cache(output, fresh)
    result = ablate(sources, settings, folds, config.seed, err, checkpoint=None if is_stdout(output) else save, cache=cache)
    save(result)
    cache.clear()
    if responses_dir is not None:
        _note(f"the fold models' responses per setting (for 'evaluate --predictions'): {responses_dir}/")
    _say_done(ablation_table(result, folds), output)
    _say_written(output)


class Engine(str, Enum):
    local = "local"
    ray = "ray"


def _min_score_option() -> Any:
    """``--min-score X`` of ``tag`` and ``records`` (``model.operating_point``): not a number in [0, 1] is a usage error."""
    return typer.Option(
        None, "--min-score", min=0.0, max=1.0, metavar="X",
        help="Keep only events scored at least X, with their spans; sentence types follow (default: every event).",
    )


@app.command()
def tag(
    articles: str = typer.Argument(
        ..., metavar="ARTICLES",
        help="JSONL with id and text, or a folder of .txt files; with --engine ray: JSONL or Parquet, a file, folder, glob or fsspec URL.",
    ),
    output: str = typer.Option(
        ..., "-o", "--output", metavar="FILE",
        help="JSONL file to write, one result per article ('-': standard output); with --engine ray: a new folder of JSONL (or, ending in .parquet, Parquet) partitions.",
    ),
    model: str = typer.Option(
        None, "--model", metavar="TAG",
        help="Model tag in the BentoML store (default: the served model); with --engine ray also a stored model's folder.",
    ),
    batch: int = typer.Option(8, "--batch", "--batch-size", min=1, metavar="N", help="Articles per model batch."),
    precision: Precision = typer.Option("auto", "--precision", metavar=choices(Precision), help=PRECISION_HELP),
    max_chars: int = typer.Option(
        None, "--max-chars", min=1, metavar="N",
        help="Refuse articles longer than this (default: the service's max_article_chars, configs/serving.yaml).",
    ),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="In a folder, read the .txt files of its subfolders too."),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this process; ray: Ray Data actors (needs the package's ray extra)."),
    address: str = typer.Option(None, "--address", help="--engine ray: address of a running Ray cluster (default: a local Ray on loopback, stopped afterwards)."),
    actors: int = typer.Option(None, "--actors", min=1, help="--engine ray: actors, each loading the model once (default: one per CPU but one)."),
    min_score: float = _min_score_option(),
) -> None:
    """Tag articles with a stored model; writes the service's response object per article."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from model.operating_point import apply_min_score
    from model.tagging import extract_with_progress
    from serving.settings import load_settings
    from training.store import load_extractor

    if engine is Engine.ray:
        _tag_on_ray(articles, output, model, batch, precision.value, address, actors, min_score)
        return
    if address or actors:
        raise UserError("--address and --actors are options of --engine ray")
    articles, output = Path(articles), Path(output)
    check_output(output, [articles])
    settings = load_settings()
    inputs = read_articles(articles, recursive, say=_note)
    limit = max_chars or settings.max_article_chars
    too_long = [(doc_id, len(text)) for doc_id, text in inputs if len(text) > limit]
    if too_long:
        doc_id, length = too_long[0]
        others = f" (and {len(too_long) - 1} more)" if len(too_long) > 1 else ""
        raise UserError(f"article '{doc_id}' has {length:,} characters, over the limit of {limit:,}{others}; "
                        "split it, or raise the limit with --max-chars N")
    extractor = load_extractor(model, precision=precision.value)
    columns = (TextColumn("tagging: {task.fields[done]}/{task.fields[articles]} articles"), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("tagging", total=sum(len(text) for _, text in inputs), done=0, articles=len(inputs))
        finished = 0

        def advance(characters: int, articles_done: int) -> None:
            nonlocal finished
            finished += articles_done
            progress.update(task, advance=characters, done=finished)

        results = extract_with_progress(extractor, inputs, advance, batch, settings.sentence_batch_size)
    results = [apply_min_score(result, min_score) for result in results]
    write_jsonl(output, results)
    events = sum(len(r["events"]) for r in results)
    _say_done(f"tagged {counted(len(results), 'article')} ({counted(events, 'event')}) with {extractor.tag} -> {output}", output)


def _tag_on_ray(articles: str, output: str, model: str | None, batch: int, precision: str, address: str | None,
                actors: int | None, min_score: float | None) -> None:
    """``tag --engine ray``: the same results, written as partitions; malformed lines listed, the rest tagged."""
    try:
        from batch.ray_tagging import ERRORS_FILE, RaySettings, tag_with_ray
    except ImportError:
        raise UserError("--engine ray needs Ray Data: pip install -e '.[ray]'") from None
    summary = tag_with_ray(articles, output, model, precision, RaySettings(address=address, actors=actors, batch_size=batch),
                           min_score)
    console.print(f"tagged {counted(summary.articles, 'article')} ({counted(summary.events, 'event')}) with {summary.model} "
                  f"on {counted(summary.actors, 'Ray actor')} -> {output}")
    for problem in summary.problems[:10]:
        err.print(problem, markup=False, highlight=False)
    if summary.problems:
        raise UserError(f"{counted(len(summary.problems), 'malformed article')} skipped, all listed in {output.rstrip('/')}/{ERRORS_FILE}")


class RecordFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


@app.command()
def records(
    ctx: typer.Context,
    articles: str = typer.Argument(
        ..., metavar="ARTICLES",
        help="JSONL of {id, text, date?, source?, url?}, or a folder of .txt files; with --engine ray: JSONL, a file, folder, glob or fsspec URL.",
    ),
    output: Path = typer.Option(..., "-o", "--output", help="File to write the records to."),
    fmt: RecordFormat = typer.Option(
        None, "--format", metavar=choices(RecordFormat),
        help="jsonl, csv (ACLED's column order) or geojson (default: the output's suffix says which, else jsonl).",
    ),
    model: str = typer.Option(None, "--model", help="Model tag in the BentoML store (default: the served model); with --engine ray also a stored model's folder."),
    batch: int = typer.Option(8, "--batch", "--batch-size", min=1, metavar="N", help="Articles per model batch."),
    precision: Precision = typer.Option("auto", "--precision", metavar=choices(Precision), help=PRECISION_HELP),
    min_score: float = _min_score_option(),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local: this process; ray: the tagging on Ray Data actors (needs the package's ray extra), the merge here."),
    address: str = typer.Option(None, "--address", help="--engine ray: address of a running Ray cluster (default: a local Ray on loopback, stopped afterwards)."),
    actors: int = typer.Option(None, "--actors", min=1, help="--engine ray: actors, each loading the model once (default: one per CPU but one)."),
) -> None:
    """Tag articles and write one record per incident (date, place, actors, weapon, casualties), merged across articles."""
    from rich.progress import Progress

    from incidents.export import SUFFIXES, format_named, render
    from incidents.inputs import read_record_articles
    from incidents.records import build_records
    from model.operating_point import apply_min_score
    from training.store import load_extractor

    named = format_named(output)
    if fmt is not None and named is not None and fmt.value != named:
        raise typer.BadParameter(f"{fmt.value}, but the output {output.name} is named as a {named} file; name it "
                                 f"{output.with_suffix(SUFFIXES[fmt.value]).name} or leave --format out.", ctx, param_hint="'--format'")
    record_format = fmt.value if fmt else named or RecordFormat.jsonl.value
    if engine is Engine.ray:
        _records_on_ray(articles, output, record_format, model, batch, precision.value, address, actors, min_score)
        return
    if address or actors:
        raise UserError("--address and --actors are options of --engine ray")
    articles = Path(articles)
    check_output(output, [articles])
    inputs = read_record_articles(articles)
    extractor = load_extractor(model, precision=precision.value)
    results = []
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("tagging", total=len(inputs))
        for begin in range(0, len(inputs), batch):
            chunk = inputs[begin : begin + batch]
            results += [apply_min_score(r, min_score) for r in extractor.extract_many([(a.id, a.text) for a in chunk])]
            progress.advance(task, len(chunk))
    made, warnings = build_records(inputs, results)
    atomic_write_text(output, render(made, record_format))
    _say_records(made, warnings, len(inputs), output)


def _say_records(made: list[dict], warnings: list[str], articles: int, output: Path, engine: str = "") -> None:
    for warning in warnings:
        _note(f"warning: {warning}")
    mentions = sum(len(r["mentions"]) for r in made)
    _say_done(f"{counted(len(made), 'record')} from {counted(mentions, 'mention')} in {counted(articles, 'article')}{engine} -> {output}", output)


def _records_on_ray(articles: str, output: Path, fmt: str, model: str | None, batch: int, precision: str,
                    address: str | None, actors: int | None, min_score: float | None) -> None:
    """``records --engine ray``: the tagging on Ray, the merge here; malformed lines listed, the rest made into records."""
    try:
        from batch.ray_records import errors_path, records_with_ray
        from batch.ray_tagging import RaySettings
    except ImportError:
        raise UserError("--engine ray needs Ray Data: pip install -e '.[ray]'") from None
    summary = records_with_ray(articles, output, fmt, model, precision, RaySettings(address=address, actors=actors, batch_size=batch),
                               min_score)
    _say_records(summary.records, summary.warnings, summary.articles, output,
                 f" (tagged with {summary.model} on {counted(summary.actors, 'Ray actor')})")
    for problem in summary.problems[:10]:
        err.print(problem, markup=False, highlight=False)
    if summary.problems:
        raise UserError(f"{counted(len(summary.problems), 'malformed article')} skipped, all listed in {errors_path(output)}")


@app.command("select")
def select_(
    pool: Path = typer.Option(..., "--pool", help="Unlabelled articles: JSONL with id and text, or a folder of .txt files."),
    n: int = typer.Option(..., "-n", help="How many articles to choose.", min=1),
    strategy: Strategy = typer.Option(
        Strategy.entropy, "--strategy", metavar=choices(Strategy), help="entropy, least-confidence, or random (the baseline)."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="Label Studio tasks (JSON) to write."),
    model: str = typer.Option(None, "--model", help="Model tag in the BentoML store (default: the served model)."),
    max_similarity: float = typer.Option(0.5, "--max-similarity", help="Skip an article this similar (character 5-gram Jaccard) to one chosen before it.", min=0.0, max=1.0),
    seed: int = typer.Option(13, "--seed", help="Seed of the random strategy."),
    precision: Precision = typer.Option("auto", "--precision", metavar=choices(Precision), help=PRECISION_HELP),
) -> None:
    """Choose the articles the model is least sure of, without near-duplicates, as Label Studio tasks with pre-annotations."""
    from rich.progress import Progress

    from active.select import label_studio_tasks, pick, rank, score_pool
    from training.store import load_extractor

    check_output(output, [pool])
    articles = read_articles(pool)
    extractor = load_extractor(model, precision=precision.value)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("scoring the pool", total=len(articles))
        candidates = score_pool(extractor, articles, strategy, progress=lambda k: progress.advance(task, k))
    chosen = pick(rank(candidates, strategy, seed), n, max_similarity)
    atomic_write_text(output, json.dumps(label_studio_tasks(chosen, strategy, extractor.tag), ensure_ascii=False, indent=1))
    skipped = f"; fewer than {n}: the rest were near-duplicates" if len(chosen) < min(n, len(articles)) else ""
    _say_done(f"chose {len(chosen)} of {counted(len(articles), 'article')} by {strategy.value} with {extractor.tag} -> {output}{skipped}", output)


@app.command()
def simulate(
    config_file: Path = typer.Option(Path("configs/active-learning.yaml"), "--config",
                                     help="Training config of every round, one budget for all (the real backbone takes minutes per round)."),
    rounds: int = typer.Option(5, "--rounds", help="Rounds of choosing and retraining.", min=1),
    per_round: int = typer.Option(4, "--per-round", help="Articles each strategy adds per round.", min=1),
    repeats: int = typer.Option(3, "--repeats", help="Training seeds (config seed, +1, ...).", min=1),
    strategies: list[Strategy] = typer.Option(
        [Strategy.entropy, Strategy.random], "--strategy", metavar=choices(Strategy), help="Strategies to compare (repeatable)."
    ),
    out: Path = typer.Option(Path("reports/active-learning"), "-o", "--output", help="Folder for simulation.json and simulation.png."),
) -> None:
    """Active learning, simulated: from the seeds, add real articles in rounds by each strategy, plot event F1 on a fixed held-out set."""
    from active.simulation import held_out_split, plot, simulate as run_simulation
    from training.ablation import SOURCE_FILES

    check_output_dir(out)
    config = _load_config(config_file)
    start = read_corpus([SOURCE_FILES["seeds"]], say=_note)
    real = read_corpus([SOURCE_FILES["syrian-archive"], SOURCE_FILES["wikinews"]], say=_note)
    if not real:
        raise UserError("the simulation chooses among the Syrian Archive and Wikinews articles: run 'make corpus-texts' first")
    pool, held_out = held_out_split(real, config.seed)
    if rounds * per_round > len(pool):
        raise UserError(f"{counted(rounds, 'round')} of {per_round} need {counted(rounds * per_round, 'article')}; the pool has {len(pool)}")
    result = run_simulation(config, start, pool, held_out, strategies, rounds, per_round, repeats, say=_note)
    make_output_dir(out)
    atomic_write_text(out / "simulation.json", json.dumps(result, ensure_ascii=False, indent=1))
    plot(result, out / "simulation.png")
    for name, runs in result["curves"].items():
        last = [run[-1]["event_f1"] for run in runs]
        console.print(f"{name}: event F1 after {counted(runs[0][-1]['added'], 'article')}, mean {sum(last) / len(last):.3f} over {counted(len(last), 'repeat')}")
    console.print(f"wrote {out / 'simulation.json'} and {out / 'simulation.png'}")


def _ensure_served_model(config_file: Path) -> None:
    """Train and promote the default model when the BentoML store holds none yet."""
    import bentoml

    from serving.settings import load_settings
    from training.store import MODEL_NAME

    try:
        stored = bentoml.models.list(MODEL_NAME)
    except bentoml.exceptions.NotFound:  # what BentoML raises for a store that never held the name
        stored = []
    if load_settings().model_tag in ("served", f"{MODEL_NAME}:latest") and not stored:
        console.print(f"no {MODEL_NAME} model in the BentoML store yet: training {config_file} first")
        train(config_file=config_file, data=None, output=None, holdout=0, store=True, promote_model=True)


@app.command()
def serve(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config, if a model must be trained first."),
) -> None:
    """Serve the API and page (bentoml serve), training the default model first if the store has none."""
    import os

    from serving.ports import check_port_free
    from serving.settings import load_settings
    from training.store import resolve_tag

    settings = load_settings()
    check_port_free(settings.host, settings.port)  # before a first model trains for minutes
    _ensure_served_model(config_file)
    console.print(f"serving {resolve_tag(settings.model_tag)} on http://{settings.host}:{settings.port}")
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "bentoml", "serve", "serving.service:EventService",
         "--host", settings.host, "--port", str(settings.port), "--working-dir", str(PROJECT_ROOT)],
    )


@app.command()
def bench(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="Training config, if a model must be trained first."),
    training_epoch: bool = typer.Option(
        True, "--training-epoch/--no-training-epoch", help="Also time one training epoch on the default config's data."
    ),
) -> None:
    """Measure speed against this machine's limit; writes BENCHMARKS.md and BENCHMARKS.json."""
    from benchmarks.run import main as run_benchmark

    _ensure_served_model(config_file)
    run_benchmark(training_epoch)


def _stored_or_none(model_info: Any):
    """The stored model a response's ``model`` object names, or None when it names none of this store."""
    from training.store import get_stored

    tag = model_info.get("tag") if isinstance(model_info, dict) else None
    if not isinstance(tag, str) or not tag:
        return None
    try:
        return get_stored(tag)
    except UserError:
        return None


@app.command()
def evaluate(
    ctx: typer.Context,
    data: Path = typer.Argument(None, metavar="GOLD", help="Annotated JSONL file, or a folder of them."),
    data_old: Path = typer.Option(None, "--data", hidden=True),
    out: Path = typer.Option(None, "-o", "--output", metavar="DIR", help="Folder for report.json and report.html."),
    out_old: Path = typer.Option(None, "--out", hidden=True),
    records_gold: Path = typer.Option(
        None, "--records", metavar="GOLD", help="Score event records against this gold records JSONL instead (writes records-report.json)."
    ),
    gold_mentions: bool = typer.Option(False, "--gold-mentions", help="With --records: make records from the corpus's gold spans, not a model."),
    model: str = typer.Option(None, "--model", metavar="TAG", help="Model tag (default: the served model)."),
    predictions: Path = typer.Option(
        None, "--predictions", metavar="FILE",
        help="Score this JSONL of responses (as 'tag' and 'crossval' write them) instead of running a model; "
             "with --records, responses or event records.",
    ),
    baseline: bool = typer.Option(
        False, "--baseline", help="Add the classical baseline, trained on the model's training documents minus the evaluated ones."
    ),
    precision: Precision = typer.Option("auto", "--precision", metavar=choices(Precision), help=PRECISION_HELP),
) -> None:
    """Score a model on annotated articles: report.json and a self-contained report.html.

    Warns (on stderr and in the report) when evaluated articles are in the model's training data."""
    from rich.progress import Progress


    from training.classical import ClassicalBaseline
    from training.evaluation import align_results, evaluate as run_evaluation, predict_documents, read_predictions
    from training.evaluation import training_overlap_warnings
    from training.report_html import render
    from training.reports import scores_table
    from training.store import get_stored

    out = _spelt_once(ctx, out, out_old, "option '-o' / '--output'")
    if records_gold is not None:
        check_output_dir(out)
        if gold_mentions and predictions is not None:
            raise UserError("--gold-mentions and --predictions: give one (records from the gold spans, or from saved answers)")
        if Path(out).is_dir():  # the report must not replace an input
            check_output(Path(out) / "records-report.json", [f for f in (records_gold, predictions) if f is not None])
        return _evaluate_records(records_gold, out, model, predictions, gold_mentions, precision.value)
    data = _spelt_once(ctx, data, data_old, "argument 'GOLD'")
    files = _annotated_files([data])
    check_output_dir(out)
    for name in ("report.json", "report.html"):
        if out.is_dir():
            check_output(out / name, [*files, *([predictions] if predictions else [])])
    gold = read_documents(*files)
    if not gold:
        raise UserError(f"{data}: no articles to evaluate")
    if not any(d.spans for d in gold):
        raise UserError(f"{data}: none of its {counted(len(gold), 'article')} has an annotated span; evaluate scores annotated "
                        "articles (to tag articles, use 'arabic-events tag')")
    if predictions is not None:
        results = read_predictions(predictions)
        tag = f"predictions from {predictions.name}"
        model_predictions = align_results(gold, results)
        stored = _stored_or_none(results[0].get("model"))
    else:
        from training.store import load_extractor

        stored = get_stored(model)
        tag = str(stored.tag)
        extractor = load_extractor(tag, precision=precision.value)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("evaluating", total=len(gold))
            model_predictions = predict_documents(extractor, gold, lambda n: progress.advance(task, n), chunk=8)
    training_files = _data_paths(tuple(stored.info.metadata.get("config", {}).get("data", [])), None) if stored else []
    warnings = training_overlap_warnings(stored.info.metadata, str(stored.tag), gold) if stored else [
        "the predictions do not name a model of this BentoML store: whether these articles were in its training data is unknown"
    ]
    for warning in warnings:
        _note(f"warning: {warning}")
    baseline_predictions = None
    if baseline:
        if not training_files:
            raise UserError("--baseline needs a stored model (it trains on that model's training data)")
        from training.baseline_data import baseline_training_documents

        training, notes = baseline_training_documents(stored.info.metadata, read_corpus(training_files, say=_note), gold)
        for line in notes:
            _note(line)
        classical = ClassicalBaseline().fit(training)
        baseline_predictions = [classical.predict(d) for d in gold]
    report = run_evaluation(gold, model_predictions, tag, baseline_predictions, warnings)
    make_output_dir(out)
    atomic_write_text(out / "report.json", json.dumps(report, ensure_ascii=False, indent=1))
    atomic_write_text(out / "report.html", render(report, gold, model_predictions))
    console.print(scores_table(f"{tag} on {counted(len(gold), 'document')}", report["scores"]))
    events = {name: s["events"]["events"] for name, s in report["scores"].items()}
    console.print("event F1: " + ", ".join(f"{name} {row['f1']:.3f}" for name, row in events.items()))
    console.print(f"wrote {out / 'report.json'} and {out / 'report.html'}")


def _evaluate_records(gold_path: Path, out: Path, model: str | None, predictions: Path | None,
                      gold_mentions: bool, precision: str) -> None:
    """``evaluate --records``: records made from the gold records' articles, scored against them."""
    from rich.table import Table

    from incidents.evaluation import evaluate_records
    from incidents.inputs import parse_date
    from incidents.records import build_records
    from incidents.inputs import Article as RecordArticle
    from training.metrics import gold_events

    gold = [value for _, value in _json_lines(gold_path)]
    metadata = {s["article_id"]: s for record in gold for s in record["sources"]}
    lines = _predicted_records_or_responses(predictions) if predictions is not None else []
    responses = {r["id"]: r for r in lines} if lines and _is_response(lines[0]) else None
    if responses is not None:  # saved responses (tag, crossval): scored on the gold records of their articles alone
        kept = [record for record in gold if all(s["article_id"] in responses for s in record["sources"])]
        if not kept:
            raise UserError(f"{predictions}: no response for any article of {gold_path}'s records")
        if len(kept) < len(gold):
            _note(f"note: {len(gold) - len(kept)} of the {len(gold)} gold records are left out: "
                  f"an article of theirs has no response in {predictions}")
        gold = kept
        metadata = {s["article_id"]: s for record in gold for s in record["sources"]}
    if predictions is not None and responses is None:
        predicted, tag = lines, predictions.name
    else:
        documents = {d.id: d for d in read_corpus(_corpus_files(), say=_note)}
        missing = sorted(set(metadata) - set(documents))
        if missing:
            raise UserError(f"{gold_path}: articles not in the corpus: {', '.join(missing)} (run `corpus fetch` for stand-off texts)")
        articles = [RecordArticle(i, documents[i].text, parse_date(m["date"], f"{gold_path}: {i}"), m.get("source"), m.get("url"))
                    for i, m in metadata.items()]
        if responses is not None:
            from training.evaluation import align_results

            results, tag = [responses[a.id] for a in articles], f"responses in {predictions.name}"
            align_results([documents[a.id] for a in articles], results)  # each made on its article's text
        elif gold_mentions:
            results, tag = [{"id": a.id, "events": gold_events(documents[a.id])} for a in articles], "gold spans"
        else:
            from model.predictor import checked_precision
            from training.store import load_extractor

            extractor = load_extractor(model, precision=checked_precision(precision, "--precision"))
            results, tag = extractor.extract_many([(a.id, a.text) for a in articles]), extractor.tag
        predicted, _ = build_records(articles, results)
    report = {"gold": str(gold_path), "mentions from": tag, **evaluate_records(gold, predicted)}
    make_output_dir(out)
    atomic_write_text(out / "records-report.json", json.dumps(report, ensure_ascii=False, indent=1))
    table = Table(title=f"records from {tag} against {gold_path.name} ({report['gold records']} gold records)", title_justify="left")
    for column in ("measure", "score", "support"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, row in report["fields"].items():
        table.add_row(name, "—" if row["accuracy"] is None else f"{row['accuracy']:.3f}", str(row["support"]))
    for name in ("mentions into records (B-cubed)", "articles into incidents (B-cubed)"):
        row = report[name]
        table.add_row(f"{name} P / R / F1", f"{row['precision']:.3f} / {row['recall']:.3f} / {row['f1']:.3f}", str(row["items"]))
    console.print(table)
    console.print(f"wrote {out / 'records-report.json'}")


def _json_lines(path: Path) -> list[tuple[int, Any]]:
    """``(line number, JSON value)`` of each non-blank line of ``path``; the first bad line is one error."""
    values = []
    for number, value in iter_json_lines(read_bytes(path), str(path)):
        if isinstance(value, Problem):
            raise UserError(str(value))
        values.append((number, value))
    return values


def _is_response(value: Any) -> bool:
    """Whether ``value`` is a response object (as ``tag`` writes it) rather than an event record."""
    return isinstance(value, dict) and "events" in value and "spans" in value and "event_id" not in value


def _predicted_records_or_responses(path: Path) -> list[dict[str, Any]]:
    """``evaluate --records --predictions``: every line an event record, or every line a response object (checked)."""
    from training.evaluation import read_predictions

    lines = _json_lines(path)
    if not lines:
        raise UserError(f"{path}: no predictions in this file")
    if _is_response(lines[0][1]):
        return read_predictions(path)
    for number, value in lines:
        if not is_event_record(value):
            kind = "a response object among event records" if _is_response(value) else "neither an event record nor a response object"
            raise UserError(f"{path}:{number}: {kind}")
    return [value for _, value in lines]


def _annotated_files(paths: list[Path]) -> list[Path]:
    """``paths`` with each folder replaced by its JSONL files; a folder without any is an error."""
    files = []
    for path in paths:
        found = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if not found:
            raise UserError(f"{path}: no .jsonl files in this folder")
        files += found
    return files


@app.command()
def errors(
    predictions: Path = typer.Argument(..., metavar="PREDICTIONS",
                                       help="JSONL of responses, as 'tag' writes them (and 'crossval', 'ablation' beside their reports)."),
    gold: list[Path] = typer.Argument(..., metavar="GOLD", help="Annotated JSONL files (or folders of them) holding the predicted articles."),
    output: Path = typer.Option(None, "-o", "--output", metavar="FILE", help="Write the counts and every error as JSON ('-': standard output)."),
    csv_output: Path = typer.Option(None, "--csv", metavar="FILE", help="Write every error as CSV, one row each ('-': standard output)."),
    categories: Path = typer.Option(
        PROJECT_ROOT / "configs" / "error-categories.yaml", "--categories", metavar="FILE",
        show_default="configs/error-categories.yaml", help="The category rules (YAML).",
    ),
) -> None:
    """Every false and missed trigger of saved predictions, with its sentence and its category, and counts per category."""
    from error_analysis.categories import load_categories
    from error_analysis.report import category_counts, counts_table, errors_table, report_csv, report_json
    from error_analysis.triggers import find_errors
    from training.evaluation import read_predictions

    outputs = [path for path in (output, csv_output) if path is not None]
    check_distinct_outputs({"-o": output, "--csv": csv_output})
    files = _annotated_files(gold)
    for path in outputs:
        check_output(path, [predictions, categories, *files])
    rules = load_categories(categories)
    documents = read_documents(*files)
    found, analysed = find_errors(documents, read_predictions(predictions), rules)
    left_out = len(documents) - len(analysed)
    if left_out:
        _note(f"note: {left_out} of the {len(documents)} gold articles have no prediction in {predictions} and are left out")
    names = rules.names
    # the files first: a reader that stops reading the tables early (`| head`) must not cost them
    if output is not None:
        sources = {"predictions": str(predictions), "gold": [str(f) for f in files], "categories_file": str(categories),
                   "documents": len(analysed), "gold_documents_left_out": left_out}
        atomic_write_text(output, json.dumps(report_json(found, names, sources), ensure_ascii=False, indent=1))
    if csv_output is not None:
        atomic_write_text(csv_output, report_csv(found))
    shown = _console_beside(*outputs)
    shown.print(counts_table(category_counts(found, names), f"trigger errors in {len(analysed)} articles ({predictions.name})"))
    shown.print(errors_table(found, names))
    _say_written(*outputs)


@app.command("operating-point")
def operating_point(
    report: Path = typer.Argument(..., metavar="REPORT", help="A crossval report (JSON); its fold models' responses are read beside it."),
    gold: list[Path] = typer.Argument(..., metavar="GOLD", help="Annotated JSONL files (or folders of them) holding the held-out articles."),
    predictions: Path = typer.Option(
        None, "--predictions", metavar="FILE", help="The fold models' responses (default: beside the report, NAME.predictions.jsonl).",
    ),
    output: Path = typer.Option(None, "-o", "--output", metavar="FILE", help="Write the points and the scores as JSON ('-': standard output)."),
    answers: Path = typer.Option(
        None, "--answers", metavar="FILE", help="Write the nested answers (each response at its fold's point) as JSONL, for `errors`.",
    ),
    min_gold_events: int = typer.Option(
        MIN_GOLD_EVENTS, "--min-gold-events", min=1, metavar="N",
        help="A type with fewer gold events than N in the answers a point is chosen on keeps every event.",
    ),
) -> None:
    """Choose the model's operating point per event type on cross-validation, and score it by nested cross-validation."""
    import yaml

    from training.evaluation import read_predictions
    from training.operating_point_choice import crossval_answers, kept_every_event, operating_point_report
    from training.reports import operating_point_table, predictions_beside

    beside = predictions is None
    predictions = predictions or predictions_beside(report)
    if beside and Path(report).is_file() and not predictions.exists():
        raise UserError(f"{predictions}: no such file; `crossval` writes its fold models' answers there, "
                        "and the repository does not keep them (they quote the texts): rerun the crossval, or give --predictions")
    files = _annotated_files(gold)
    if output is not None:
        check_output(output, [report, predictions, *files])
    if answers is not None:
        check_output(answers, [report, predictions, *files])
    check_distinct_outputs({"-o": output, "--answers": answers})
    try:
        crossval_report = json.loads(read_bytes(report).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"{report}: not a JSON report ({exc})") from None
    documents, responses, folds = crossval_answers(crossval_report, read_predictions(predictions), read_documents(*files), str(report))
    result, nested = operating_point_report(documents, responses, folds, min_gold_events)
    if output is not None:  # before the tables, which a reader may stop reading early
        atomic_write_text(output, json.dumps({"report": str(report), "predictions": str(predictions), **result},
                                             ensure_ascii=False, indent=1))
    if answers is not None:
        write_jsonl(answers, nested)
    shown = _console_beside(output, answers)
    shown.print(operating_point_table(
        f"{counted(len(documents), 'held-out article')} in {counted(len(folds), 'fold')}: every event, and at the point "
        "chosen on the other folds", result["scores"]))
    for line in kept_every_event(result):
        shown.print(line)
    shown.print("the point chosen on every fold, for the config:")
    shown.print(yaml.safe_dump({"operating_point": result["chosen"]}, sort_keys=False), end="", markup=False)
    _say_written(output, answers)


@app.command()
def retrain(
    ctx: typer.Context,
    add: list[Path] = typer.Argument(None, metavar="FILE", help="New or corrected annotated articles."),
    add_old: list[Path] = typer.Option(None, "--add", hidden=True),
    source: ImportFormat = typer.Option(
        None, "--from", metavar=choices(ImportFormat), help="Read the files as Label Studio or doccano exports."
    ),
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", metavar="FILE", help="Training config (YAML)."),
    eval_file: Path = typer.Option(
        None, "--eval", metavar="FILE",
        help="Articles to compare on instead of the evaluation split; no compared model is trained on them.",
    ),
    split_file: Path = typer.Option(
        PROJECT_ROOT / "annotations" / "gate-split.json", "--split", metavar="FILE",
        help="The recorded evaluation split (arabic-events gate-split).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Promote even if the candidate scores lower than the reference (never when both score zero)."
    ),
    corpus: Path = typer.Option(
        PROJECT_ROOT / "annotations" / "corpus.jsonl", "--corpus", metavar="FILE", help="The corpus file to merge into."
    ),
    history: Path = typer.Option(
        PROJECT_ROOT / "annotations" / "history.jsonl", "--history", metavar="FILE", help="Where replaced versions go."
    ),
    allow_emptying: bool = typer.Option(
        False, "--allow-emptying",
        help="Let a version without spans replace an article that has some, and promote though the data lost spans."),
) -> None:
    """Merge new annotations; if a candidate is not worse than the served model's reference on the evaluation split (both trained without it), promote a model trained on everything.

    The comparison table and the decision go to stdout, progress to stderr."""
    from rich.table import Table

    from training.retrain import retrain as run_retrain

    add = _spelt_once(ctx, add, add_old, "argument 'FILE'")
    if source is not None:
        summaries = [(path, import_annotations(source.value, path)) for path in add]
        for path, summary in summaries:
            _note(f"{path}: {summary.describe()}")
        new = [d for _, summary in summaries for d in summary.documents]
    else:
        new = read_documents(*add)
    eval_documents = read_documents(eval_file) if eval_file else None
    config = _load_config(config_file)  # after the user's files: a missing one is the first thing to hear of
    outcome = run_retrain(new, config, _data_paths(config.data, None), corpus, history, split_file, eval_documents,
                          force, _note, allow_emptying)
    table = Table(title=f"on the {counted(outcome.gate['split_documents'], 'article')} of the evaluation split, by models trained "
                        f"without them (reference {outcome.reference_tag or '—: nothing served'})", title_justify="left")
    for column in ("metric", "reference", "candidate"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    rows = [("event F1", lambda s: s["events"]["events"]["f1"]),
            ("arguments in matched events F1", lambda s: s["events"]["arguments in matched events"]["f1"]),
            ("trigger span F1", lambda s: s["spans"]["triggers (micro)"]["f1"]),
            ("argument span F1", lambda s: s["spans"]["arguments (micro)"]["f1"]),
            ("sentence F1 (micro)", lambda s: s["sentences"]["micro avg"]["f1"])]
    for name, pick in rows:
        reference = f"{pick(outcome.reference_scores):.3f}" if outcome.reference_scores else "—"
        table.add_row(name, reference, f"{pick(outcome.candidate_scores):.3f}")
    console.print(table)
    if outcome.promoted_tag:
        console.print(f"PROMOTED {outcome.promoted_tag}: it is the served model now ({outcome.reason}); restart the service "
                      "to use it. It was trained on all the data, the evaluation split included; the numbers above are "
                      f"those of the candidate {outcome.candidate_tag}, trained without the split, and are stored with "
                      "both under 'gate'")
    else:
        console.print(f"NOT PROMOTED: {outcome.candidate_tag} is stored as a candidate; {outcome.served_before} stays served ({outcome.reason})")


@app.command("gate-split")
def gate_split(
    config_file: Path = typer.Option(Path("configs/default.yaml"), "--config", help="The config whose data the split is drawn from."),
    output: Path = typer.Option(PROJECT_ROOT / "annotations" / "gate-split.json", "-o", "--output", help="Where the split is recorded."),
    replace: bool = typer.Option(False, "--replace", help="Replace a recorded split that differs (the gate's numbers change meaning)."),
) -> None:
    """Draw the promotion gate's evaluation split once: a seeded fifth of the real articles, whole incidents."""
    from training.gate_split import make_gate_split, write_gate_split

    config = _load_config(config_file)
    left_out: list[str] = []
    documents = read_corpus(_data_paths(config.data, None), say=left_out.append)
    if left_out:
        raise UserError(f"{left_out[0]}: the split is drawn from all the config's data; "
                        "run 'arabic-events corpus fetch' first")
    _say_done(write_gate_split(output, make_gate_split(documents, config.seed, config.data), replace), output)


def main() -> None:
    """Run the CLI, turning user errors into one line and a non-zero exit status.

    typer (in standalone mode) shows usage errors as click's short usage message with exit
    status 2, and turns an interrupt into exit status 130; what the commands raise ends here.
    """
    import os

    # quiet libraries, through their environment variables: importing them here would slow every command
    for variable, value in (("TRANSFORMERS_VERBOSITY", "error"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                            ("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")):
        os.environ.setdefault(variable, value)
    try:
        app(prog_name="arabic-events")
    except AnnotationProblems as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        err.print(f"error: {counted(len(exc.problems), 'problem')}; nothing was written")
        sys.exit(1)
    except UserError as exc:
        err.print(f"error: {exc}", highlight=False, markup=False)
        sys.exit(1)
    except OSError as exc:  # the system refused a read or write the checks could not foresee (a full disk, ...)
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"error: {where}{exc.strerror or exc}", highlight=False, markup=False)
        sys.exit(1)
