"""The ablation's table: a row per setting and tested source, the model beside the baselines."""

from rich.console import Console

from training.reports import ablation_table


def scores(event: float, retaliation: float, negatives: float) -> dict:
    return {
        "events": {"events": {"f1": event}},
        "spans": {"triggers (micro)": {"f1": 0.5}, "arguments (micro)": {"f1": 0.25}},
        "spans (lenient)": {"micro avg": {"f1": 0.75}},
        "sentences": {"attack": {"f1": 0.875}, "retaliation": {"f1": retaliation}},
        "negatives": {"events_per_negative_document": negatives},
    }


def test_each_setting_and_source_is_one_row_with_the_retaliation_and_baseline_columns():
    result = {"settings": {"+ UN sentences": {"scores": {
        "un": {**scores(0.6, 0.0, 0.25), "baseline": scores(0.4, 0.0, 0.5)},
        "pooled": {**scores(0.8, 2 / 3, 0.03), "baseline": scores(0.7, 0.5, 0.43)},
    }}}}
    console = Console(width=400, record=True)
    console.print(ablation_table(result, 3))
    rows = [line.split("│")[1:-1] for line in console.export_text().splitlines() if "+ UN sentences" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["+ UN sentences", "un", "0.600", "0.500", "0.250", "0.750", "0.875", "0.000", "0.25", "0.400", "0.875", "0.50"],
        ["+ UN sentences", "pooled", "0.800", "0.500", "0.250", "0.750", "0.875", "0.667", "0.03", "0.700", "0.875", "0.43"],
    ]
