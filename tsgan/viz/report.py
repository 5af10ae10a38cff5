"""One self-contained ``report.html`` per run: pictures, numbers with baselines, configuration.

Everything is inside the one file (images as base64 ``data:`` URIs, inline CSS, no scripts,
no external resources), so it opens offline and can be mailed around. All text taken from the
run (configuration, metric names, data source) is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tsgan.data.io import write_text
from tsgan.errors import TsganError

PathLike = str | os.PathLike[str]

CREDIT_TEXT = "Bundesnetzagentur | SMARD.de (CC BY 4.0)"
CREDIT_LINKS = ("https://www.smard.de/", "https://creativecommons.org/licenses/by/4.0/")

# (anchor, heading) in page order; the tests check every heading is present.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overlay", "Generated vs real samples"),
    ("hourly", "Per-hour distributions"),
    ("correlation", "Hour-to-hour correlations"),
    ("losses", "Training losses"),
    ("evolution", "Training evolution"),
    ("metrics", "Metrics against held-out data and baselines"),
    ("configuration", "Configuration"),
    ("credit", "Data credit"),
)

_MIME = {".png": "image/png", ".gif": "image/gif"}

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; line-height: 1.45; }
header { background: #1f4e79; color: white; padding: 1.2em 2em; }
header h1 { margin: 0 0 .3em 0; font-size: 1.6em; }
header p { margin: .1em 0; opacity: .9; }
nav { padding: .6em 2em; background: #e8eef5; font-size: .95em; }
nav a { margin-right: 1.1em; color: #1f4e79; text-decoration: none; }
main { max-width: 1200px; margin: 0 auto; padding: 0 2em 2em 2em; }
section { background: white; margin: 1.2em 0; padding: 1em 1.5em; border-radius: 6px;
          box-shadow: 0 1px 3px rgba(0,0,0,.12); }
h2 { color: #1f4e79; margin-top: .3em; }
figure { margin: .5em 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: .9em; color: #555; margin-top: .3em; }
table { border-collapse: collapse; font-size: .9em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .6em; text-align: right;
         vertical-align: top; }
th { background: #f0f3f7; }
td.name, th.name { text-align: left; font-family: ui-monospace, monospace; white-space: nowrap; }
td.desc, th.desc { text-align: left; color: #444; min-width: 18em; }
td.model, th.model { background: #eef5fc; }
pre { background: #f4f4f4; padding: 1em; overflow: auto; max-height: 40em; font-size: .85em; }
.note { color: #666; font-style: italic; }
.error { color: #a00; }
footer { text-align: center; font-size: .85em; color: #666; padding: 1em; }
"""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None:
        raise TsganError(f"cannot embed {path.name}: only PNG and GIF images are supported")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _figure(path: Path | None, alt: str, caption: str) -> str:
    """An embedded image with a caption, or a note when the image is missing."""
    if path is None or not path.is_file():
        return f'<p class="note">{_esc(alt)}: not available for this run.</p>'
    return (f'<figure><img src="{_data_uri(path)}" alt="{_esc(alt)}">'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def _format_number(value: Any) -> str:
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return _esc(value)
    if math.isnan(number):
        return "–"
    if number == 0 or 1e-3 <= abs(number) < 1e5:
        return f"{number:.4g}"
    return f"{number:.3e}"


# --------------------------------------------------------------------------- metrics
def metrics_table(metrics: Any) -> dict[str, dict[str, Any]]:
    """``{source: {metric: value}}`` from a DataFrame (rows sources) or a metrics.json object.

    Accepts the layouts ``{source: {metric: value}}``, ``{"table": {...}}`` /
    ``{"metrics": {...}}`` wrappers, and a list of records with a ``source`` key.
    """
    if hasattr(metrics, "to_dict") and hasattr(metrics, "index"):
        return {str(k): dict(v) for k, v in metrics.to_dict(orient="index").items()}
    if isinstance(metrics, Mapping):
        for key in ("table", "metrics", "sources", "results"):
            inner = metrics.get(key)
            if isinstance(inner, Mapping | list) and inner:
                return metrics_table(inner)
        rows = {str(k): dict(v) for k, v in metrics.items() if isinstance(v, Mapping)}
        if rows:
            return rows
    if isinstance(metrics, list) and all(isinstance(r, Mapping) for r in metrics):
        out = {}
        for record in metrics:
            name = record.get("source", record.get("name"))
            if name is not None:
                out[str(name)] = {k: v for k, v in record.items() if k not in ("source", "name")}
        if out:
            return out
    raise TsganError("metrics.json has an unexpected layout; rerun 'tsgan evaluate'")


def _load_or_compute_metrics(run: Any, run_dir: Path
                             ) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(table, facts such as n and seed) from RUN/metrics.json, or evaluate ``run`` now and
    write it."""
    path = run_dir / "metrics.json"
    if not path.is_file():
        from tsgan.evaluate.tables import evaluate_run, write_metrics

        write_metrics(run_dir, evaluate_run(run))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TsganError(f"{path} is not valid JSON; rerun 'tsgan evaluate'") from exc
    facts = {}
    if isinstance(raw, Mapping):
        facts = {k: raw[k] for k in ("n", "seed", "kde_factor", "created_utc")
                 if raw.get(k) is not None}
        check = raw.get("discriminator")
        if isinstance(check, Mapping):
            from tsgan.evaluate.tables import format_discriminator_check

            try:
                facts["discriminator"] = ". ".join(format_discriminator_check(check)) + "."
            except (KeyError, TypeError, ValueError):
                pass  # an older or hand-edited metrics.json: leave the line out
    return metrics_table(raw), facts


def _metric_descriptions() -> tuple[dict[str, str], str]:
    """(one sentence per metric, the table's reading legend) from tsgan.evaluate.tables."""
    try:
        from tsgan.evaluate import tables as evaluation
    except ImportError:
        return {}, ""
    descriptions = getattr(evaluation, "METRIC_DESCRIPTIONS", {})
    return {str(k): str(v) for k, v in descriptions.items()}, str(getattr(evaluation, "LEGEND", ""))


def _metrics_html(table: Mapping[str, Mapping[str, Any]], descriptions: Mapping[str, str],
                  model_source: str | None) -> str:
    """Metrics as rows, sources (generator first) as columns, one sentence per metric."""
    sources = list(table)
    if model_source in sources:
        sources.remove(model_source)
        sources.insert(0, model_source)
    metric_names: list[str] = []
    for row in table.values():
        for name in row:
            if name not in metric_names and not isinstance(row[name], Mapping | list):
                metric_names.append(name)
    head = "".join(
        f'<th class="{"model" if s == model_source else ""}">{_esc(s)}</th>' for s in sources
    )
    lines = [f'<table><thead><tr><th class="name">metric</th>{head}'
             '<th class="desc">how to read it</th></tr></thead><tbody>']
    for name in metric_names:
        cells = "".join(
            f'<td class="{"model" if s == model_source else ""}">'
            f"{_format_number(table[s].get(name))}</td>"
            for s in sources
        )
        desc = descriptions.get(name, "")
        lines.append(f'<tr><td class="name">{_esc(name)}</td>{cells}'
                     f'<td class="desc">{_esc(desc)}</td></tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


# --------------------------------------------------------------------------- page
def _section(anchor: str, body: str) -> str:
    title = dict(SECTIONS)[anchor]
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2>\n{body}\n</section>'


def _read_config(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "config.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TsganError(f"{run_dir} holds no run (config.json missing)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TsganError(f"{path} is not valid JSON") from exc


def _not_applicable(what: str, preset: str) -> str:
    return (f'<p class="note">{_esc(what)} compare 24-hour price days; they do not apply to '
            f"the {_esc(preset)} preset.</p>")


def build_html(run_dir: Path, config: Mapping[str, Any], plots: Mapping[str, Path],
               metrics: Mapping[str, Mapping[str, Any]] | None, metrics_error: str | None,
               descriptions: Mapping[str, str], legend: str = "",
               metric_facts: Mapping[str, Any] | None = None) -> str:
    """Assemble the page from already drawn plots and computed metrics (no I/O but reads)."""
    preset = str(config.get("preset") or config.get("config", {}).get("preset", "smard"))
    data = config.get("data", {}) if isinstance(config.get("data"), Mapping) else {}
    parts: list[str] = []

    if preset == "smard":
        overlay = _figure(plots.get("overlay.png"), "Generated days over real days",
                          "Generated days (blue) drawn over real training days (grey), "
                          "hour 0–23, EUR/MWh. Similar shape and spread in both bundles "
                          "means the generator has learned the typical daily curve.")
        hourly = _figure(plots.get("hourly.png"), "Per-hour price distributions",
                         "For each hour: real (grey) and synthetic (blue) prices. Boxes are "
                         "quartiles, whiskers the 5th–95th percentiles, dots the means.")
        correlation = _figure(plots.get("correlation.png"), "Correlation heatmaps",
                              "How strongly the price of one hour moves with another, real "
                              "and synthetic on the same colour scale, and their difference.")
    elif preset == "quadratic":
        overlay = _figure(plots.get("scatter.png"), "Generated and real points",
                          "Real points (x, x²) in red, generated points in blue; the faint "
                          "curve is y = x².")
        hourly = _not_applicable("Per-hour distributions", preset)
        correlation = _not_applicable("Hour-to-hour correlations", preset)
    else:
        overlay = _figure(plots.get("density.png"), "Generated and real height densities",
                          "Real (grey) and generated (blue) height densities in inches; the "
                          "orange curve is the discriminator's probability 'real'. Near the "
                          "dashed 0.5 line it can no longer tell them apart.")
        hourly = _not_applicable("Per-hour distributions", preset)
        correlation = _not_applicable("Hour-to-hour correlations", preset)

    parts.append(_section("overlay", overlay))
    parts.append(_section("hourly", hourly))
    parts.append(_section("correlation", correlation))
    parts.append(_section("losses", _figure(
        plots.get("losses.png"), "Loss curves",
        "Generator loss (blue) and discriminator loss (orange) per training step; below, how "
        "often the discriminator classifies real and generated samples correctly (0.5 means "
        "it cannot tell them apart).")))
    parts.append(_section("evolution", "\n".join([
        _figure(plots.get("evolution.gif"), "Animated training evolution",
                "Animation: generated samples (blue) at each recorded training step."),
        _figure(plots.get("evolution.png"), "Training evolution grid",
                "Snapshots of generated samples during training, on fixed axes."),
    ])))

    if metrics:
        model_source = next((s for s in ("gan", "model", "generator", "tsgan") if s in metrics),
                            None)
        facts = ", ".join(f"{k} = {v}" for k, v in (metric_facts or {}).items()
                          if k != "discriminator")
        judged = (metric_facts or {}).get("discriminator")
        body = ("<p>Every source (the GAN and the baselines fitted on the same training data) "
                "is compared with the held-out real data that training never saw.</p>\n"
                + (f"<p>{_esc(legend[0].upper() + legend[1:])}.</p>\n" if legend else "")
                + (f'<p class="note">{_esc(facts)}</p>\n' if facts else "")
                + (f'<p class="note">{_esc(judged)}</p>\n' if judged else "")
                + _metrics_html(metrics, descriptions, model_source))
    else:
        body = (f'<p class="error">Metrics unavailable: {_esc(metrics_error)}</p>'
                if metrics_error else '<p class="note">No metrics for this run.</p>')
    parts.append(_section("metrics", body))

    config_text = json.dumps(config, indent=2, sort_keys=False, default=str)
    parts.append(_section("configuration", f"<pre>{_esc(config_text)}</pre>"))

    credit = (f'<p>Price data: <a href="{CREDIT_LINKS[0]}">Bundesnetzagentur | SMARD.de</a> '
              f'(<a href="{CREDIT_LINKS[1]}">CC BY 4.0</a>).</p>')
    if preset != "smard":
        credit += (f'<p class="note">This run uses the synthetic {_esc(preset)} toy data; '
                   "the credit applies to the SMARD price data tsgan ships with.</p>")
    parts.append(_section("credit", credit))

    meta = [f"preset {preset}"]
    if data.get("source"):
        meta.append(f"data: {data['source']}")
    if data.get("n_train") is not None:
        meta.append(f"{data.get('n_train')} training / {data.get('n_test')} held-out samples")
    if config.get("train_seconds") is not None:
        try:
            meta.append(f"trained in {float(config['train_seconds']):.1f} s")
        except (TypeError, ValueError):
            pass
    if config.get("created_utc"):
        meta.append(f"created {config['created_utc']}")
    nav = "".join(f'<a href="#{a}">{_esc(t)}</a>' for a, t in SECTIONS)
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"tsgan report: {run_dir.resolve().name}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>{_esc(title)}</h1><p>{_esc(' · '.join(meta))}</p></header>",
        f"<nav>{nav}</nav><main>",
        *parts,
        "</main>",
        f"<footer>Written by tsgan on {_esc(now)} · Prices: {_esc(CREDIT_TEXT)}</footer>",
        "</body></html>",
    ]) + "\n"


def check_run_dir(run_dir: PathLike) -> dict[str, Any]:
    """The ``config.json`` record of the run a report is for; TsganError if there is none."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise TsganError(f"run directory {run_dir} does not exist")
    return _read_config(run_dir)


def write_report(run: Any, run_dir: PathLike, out: PathLike | None = None) -> Path:
    """Redraw the plots of ``run`` (a trained PriceGAN, e.g. ``tsgan.load(run_dir)``),
    gather its metrics and write one self-contained HTML page for the run in ``run_dir``.

    ``out`` defaults to ``RUN/report.html``. Metrics come from ``RUN/metrics.json``; when it
    is missing they are computed with :func:`tsgan.evaluate.tables.evaluate_run` and written.
    """
    run_dir = Path(run_dir)
    config = check_run_dir(run_dir)
    from tsgan.viz.plots import draw_run

    plot_paths = draw_run(run, run_dir / "plots")
    plots = {p.name: p for p in plot_paths}
    metrics: dict[str, dict[str, Any]] | None = None
    facts: dict[str, Any] = {}
    metrics_error = None
    try:
        metrics, facts = _load_or_compute_metrics(run, run_dir)
    except TsganError as exc:
        metrics_error = str(exc)
    descriptions, legend = _metric_descriptions()
    page = build_html(run_dir, config, plots, metrics, metrics_error, descriptions, legend,
                      facts)
    target = Path(out) if out is not None else run_dir / "report.html"
    write_text(target, page)
    return target
