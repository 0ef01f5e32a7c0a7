"""The self-contained HTML evaluation report: tables, a confusion matrix picture, an error list."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from typing import Any

from model.bio import spans_to_tags
from model.document import Document, Span
from model.labels import EVENT_TYPES, LABEL_COLOURS, SPAN_LABELS, TRIGGER_LABELS
from training.metrics import DocumentPrediction


def confusion_png(gold: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> str:
    """Word-level confusion of span labels (B/I merged, O included) as a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = ["O", *SPAN_LABELS]
    truth, guess = [], []
    for document, prediction in zip(gold, predictions):
        for sentence in document.sentences:
            tokens = document.tokens(sentence)
            inside = [s for s in prediction.spans if sentence.start <= s.start and s.end <= sentence.end]
            truth += [t[2:] or "O" for t in spans_to_tags(tokens, document.spans_in(sentence))]
            guess += [t[2:] or "O" for t in spans_to_tags(tokens, inside)]
    matrix = confusion_matrix(truth, guess, labels=labels)
    figure, axes = plt.subplots(figsize=(7.5, 6.5), dpi=110)
    shown = matrix.astype(float)
    shown[0, 0] = 0  # O-O dwarfs everything else; its count is written in the cell
    axes.imshow(shown, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title("words by span label (colour scale without O-O)")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                axes.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                          color="white" if shown[i, j] > shown.max() * 0.6 else "black")
    return _png(figure)


def _png(figure: Any) -> str:
    """``figure`` as a base64 PNG, closed."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def precision_recall_png(curves: dict[str, Any]) -> str:
    """The precision–recall curve of each event type (``training.pr_curves``), best F1 marked, as a base64 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.5), dpi=110)
    for event_type, trigger in zip(EVENT_TYPES, TRIGGER_LABELS):
        curve = curves[event_type]
        if not curve["points"]:
            continue
        recall = [0.0] + [p["recall"] for p in curve["points"]]  # the area under these steps is the average precision
        precision = [curve["points"][0]["precision"]] + [p["precision"] for p in curve["points"]]
        ap, best = curve["average_precision"], curve["best"]
        label = (f"{event_type}: AP {'—' if ap is None else f'{ap:.3f}'}, {curve['gold']} gold; "
                 f"best F1 {best['f1']:.3f} at {best['threshold']:.4g}")
        colour = LABEL_COLOURS[trigger]
        axes.plot(recall, precision, drawstyle="steps-pre", color=colour, label=label)
        axes.plot([best["recall"]], [best["precision"]], "o", mfc="none", ms=9, color=colour)
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.05)
    axes.set_xlabel("recall (events: type and trigger)")
    axes.set_ylabel("precision")
    axes.set_title("events scored at least each threshold")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="lower left", fontsize=8)
    return _png(figure)


def precision_recall_section(curves: dict[str, Any]) -> str:
    """The plot and, per event type, P/R/F1 at the usual thresholds and at the best one."""
    rows = []
    for event_type in EVENT_TYPES:
        curve = curves[event_type]
        ap = curve["average_precision"]
        points = [*curve["table"], *([curve["best"]] if curve["best"] else [])]
        for n, point in enumerate(points):
            name = f"{point['threshold']:.4g}" + (" (best F1)" if n == len(curve["table"]) else "")
            first = (f"<th rowspan='{len(points)}'>{event_type}</th><td rowspan='{len(points)}'>"
                     f"{'—' if ap is None else f'{ap:.3f}'}</td>") if n == 0 else ""
            rows.append(f"<tr>{first}<td>{name}</td><td>{point['precision']:.3f}</td><td>{point['recall']:.3f}</td>"
                        f"<td>{point['f1']:.3f}</td></tr>")
    return (
        "<h2>Precision and recall of events by score (model)</h2>"
        "<p>Events ranked by score and matched to gold events as above (type and trigger); at a threshold, the events "
        "scored at least it (what <code>min_score</code> keeps). Recall counts gold events never proposed as misses.</p>"
        f"<img alt='precision-recall curves' src='data:image/png;base64,{precision_recall_png(curves)}'>"
        "<table><tr><th>type</th><th>average precision</th><th>threshold</th><th>P</th><th>R</th><th>F1</th></tr>"
        f"{''.join(rows)}</table>"
    )


def _table(title: str, systems: dict[str, dict[str, Any]], level: str) -> str:
    names = list(systems)
    head = "".join(f"<th>{html.escape(n)} P</th><th>{html.escape(n)} R</th><th>{html.escape(n)} F1</th>" for n in names)
    rows = []
    for label, row in systems[names[0]][level].items():
        cells = "".join(
            f"<td>{systems[n][level].get(label, {}).get(k, 0):.3f}</td>" for n in names for k in ("precision", "recall", "f1")
        )
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}<td>{row['support']}</td></tr>")
    return f"<h2>{html.escape(title)}</h2><table><tr><th></th>{head}<th>support</th></tr>{''.join(rows)}</table>"


def _marked(text: str, start: int, end: int, spans: Sequence[Span], wrong: set[tuple[int, int, str]], kind: str) -> str:
    parts, cursor = [], start
    for span in sorted(spans):
        parts.append(html.escape(text[cursor : span.start]))
        css = f' class="{kind}"' if (span.start, span.end, span.label) in wrong else ""
        parts.append(
            f'<mark{css} style="background:{LABEL_COLOURS.get(span.label, "#999")}40">'
            f"{html.escape(text[span.start:span.end])}<sub>{span.label}</sub></mark>"
        )
        cursor = span.end
    parts.append(html.escape(text[cursor:end]))
    return "".join(parts)


def error_list(gold: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> str:
    blocks = []
    for document, prediction in zip(gold, predictions):
        rows = []
        for sentence in document.sentences:
            truth = document.spans_in(sentence)
            guess = [s for s in prediction.spans if sentence.start <= s.start and s.end <= sentence.end]
            t, g = {(s.start, s.end, s.label) for s in truth}, {(s.start, s.end, s.label) for s in guess}
            if t == g:
                continue
            rows.append(
                f'<tr><td class="num">{sentence.index}</td>'
                f"<td>{_marked(document.text, sentence.start, sentence.end, truth, t - g, 'missed')}</td>"
                f"<td>{_marked(document.text, sentence.start, sentence.end, guess, g - t, 'spurious')}</td></tr>"
            )
        if rows:
            blocks.append(
                f"<h3>{html.escape(document.id)} ({len(rows)})</h3><table class='errors'>"
                "<tr><th>#</th><th>gold (missed outlined)</th><th>predicted (spurious outlined)</th></tr>"
                f"{''.join(rows)}</table>"
            )
    return "".join(blocks) or "<p>No errors.</p>"


STYLE = """
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic",Tahoma,"DejaVu Sans",sans-serif;margin:1.5rem;color:#1d2330}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #d0d5dd;padding:.3rem .55rem;text-align:right}
th{background:#f2f4f7}td{font-variant-numeric:tabular-nums}table.errors td{direction:rtl;line-height:2;width:48%}
table.errors{width:100%;table-layout:fixed}table.errors th:first-child,td.num{width:2.5rem}mark{border-radius:3px;padding:0 .1rem}mark sub{font-size:.6rem;font-family:monospace;opacity:.7}
p.warning{background:#fffaeb;border:1px solid #fec84b;padding:.4rem .6rem}mark.missed{outline:2px solid #b42318}mark.spurious{outline:2px dashed #b54708}
"""


def render(report: dict[str, Any], gold: Sequence[Document], predictions: Sequence[DocumentPrediction]) -> str:
    systems = report["scores"]
    events = {name: {"events": scores["events"]} for name, scores in systems.items()}
    data = report["data"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Evaluation of {html.escape(report['model'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>Evaluation of {html.escape(report['model'])}</h1>"
        f"<p>{data['documents']} documents, {data['sentences']} sentences ({data['event_sentences']} with an event), "
        f"{data['spans']} gold spans; data sha256 <code>{data['sha256'][:16]}…</code></p>"
        + "".join(f"<p class='warning'><strong>Warning:</strong> {html.escape(w)}</p>" for w in report.get("warnings", []))
        + _table("Sentences (event types)", systems, "sentences")
        + _table("Events (type and trigger match; arguments within matched events)", events, "events")
        + precision_recall_section(report["precision_recall"])
        + _table("Spans, strict (seqeval, IOB2 on words)", systems, "spans")
        + _table("Spans, lenient (same label, overlapping)", systems, "spans (lenient)")
        + f"<h2>Confusion of span labels (model)</h2><img alt='confusion matrix' src='data:image/png;base64,{confusion_png(gold, predictions)}'>"
        + "<h2>Errors of the model</h2>"
        + error_list(gold, predictions)
        + "</body></html>"
    )
