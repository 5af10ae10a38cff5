"""One self-contained ``report.html`` per run (pictures, numbers with baselines, configuration)
and per forecast backtest (score table, Diebold–Mariano test, fan chart, PIT, rolling scores).

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


# --------------------------------------------------------------------------- backtest
#: (anchor, heading) of the backtest report in page order.
BACKTEST_SECTIONS: tuple[tuple[str, str], ...] = (
    ("what", "What was done"),
    ("scores", "Scores"),
    ("fan", "Forecast and what happened"),
    ("pit", "Calibration (PIT)"),
    ("rolling", "Scores over time"),
    ("reading", "How to read the scores"),
    ("credit", "Data credit"),
)

#: Score table columns: (key in backtest.json, heading, nominal value or None = lower is better).
BACKTEST_COLUMNS: tuple[tuple[str, str, float | None], ...] = (
    ("energy", "energy score", None),
    ("crps", "mean CRPS", None),
    ("variogram", "variogram score", None),
    ("pinball_mean", "mean pinball loss", None),
    ("coverage_50", "coverage 50 %", 0.5),
    ("coverage_90", "coverage 90 %", 0.9),
)

#: The plots of a backtest: (key in "plots", default file, heading, how to read it).
BACKTEST_PLOTS: tuple[tuple[str, str, str, str], ...] = (
    ("fan", "fan_chart.png", "Fan chart",
     "tsgan's forecast for a week of delivery days, hour by hour: the dark blue band holds "
     "the central 50 % of its members, the light band the central 90 %, the dark line is "
     "the median and the thin blue lines are single members. The black line is what "
     "happened; it should leave the light band on about one hour in ten, and narrower "
     "bands that still hold it mean a sharper forecast."),
    ("pit", "pit_histogram.png", "PIT histograms",
     "Where what happened fell among each method's members, over all hours of the period. "
     "A calibrated forecast gives a flat histogram at 1; high bars at both ends (a U) mean "
     "the forecast is too narrow, a hump in the middle too wide, a slope a bias."),
    ("rolling", "rolling_energy.png", "Rolling energy score",
     "Each method's daily energy score averaged over a rolling window (lower is better), "
     "tsgan thick and blue. It shows whether an advantage holds through the period or "
     "comes from a few weeks."),
)

BACKTEST_READING: tuple[tuple[str, str], ...] = (
    ("Energy score", "multivariate: compares the whole forecast day (24 hours together) "
     "with the day that happened, in EUR/MWh. Lower is better; it rewards both the right "
     "level and the right spread."),
    ("CRPS", "per hour: the continuous ranked probability score of each hour's forecast on "
     "its own, averaged over the hours and days, in EUR/MWh. Lower is better; for a "
     "single-valued forecast it is the mean absolute error."),
    ("Variogram score", "checks the hour-to-hour dependence: whether the differences "
     "between hours (the shape of the day) are as in reality. Lower is better."),
    ("Pinball loss", "the quantile loss of the forecast's quantiles (5 % … 95 %), averaged "
     "over the quantiles; lower is better."),
    ("Coverage", "how often what happened fell inside the central 50 % and 90 % intervals. "
     "Best near 50 % and 90 %; below means too narrow (overconfident), above too wide."),
    ("PIT", "probability integral transform: the rank of what happened among the members. "
     "Flat histogram = calibrated (see the plot above)."),
)

BACKTEST_CSS = """
td.best { font-weight: bold; }
code { background: #f4f4f4; padding: .1em .3em; border-radius: 3px; }
ul.reading li { margin: .3em 0; }
"""


def _read_backtest(backtest_dir: Path) -> dict[str, Any]:
    """The ``backtest.json`` record of ``backtest_dir``; TsganError naming the file if absent
    or unreadable."""
    if not backtest_dir.is_dir():
        raise TsganError(f"backtest directory {backtest_dir} does not exist")
    path = backtest_dir / "backtest.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TsganError(f"{path} is missing: {backtest_dir} holds no backtest "
                         "(write one with 'tsgan backtest --out DIR')") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TsganError(f"{path} is not valid JSON: {exc}") from exc
    except OSError as exc:
        raise TsganError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if not isinstance(record, Mapping) or not isinstance(record.get("scores"), Mapping) \
            or not record["scores"]:
        raise TsganError(f"{path} has an unexpected layout (no 'scores' per method)")
    return dict(record)


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _signed(number: float, spec: str = ".3g") -> str:
    """A number with a typographic minus sign, for prose."""
    return format(number, spec).replace("-", "−")


def _backtest_methods(record: Mapping[str, Any]) -> list[str]:
    """The methods in the order backtest.json lists them, then any others it scores."""
    scores = record["scores"]
    listed = record.get("methods") if isinstance(record.get("methods"), list) else []
    names = [str(m) for m in listed if str(m) in scores]
    return names + [str(m) for m in scores if str(m) not in names]


def _model_name(methods: list[str]) -> str:
    return next((m for m in methods if m.lower() == "tsgan"), methods[0])


def backtest_table_html(record: Mapping[str, Any]) -> str:
    """Methods as rows, scores as columns, the best value of each column in bold.

    Lower is better for the scores; for the coverages the value nearest the nominal one is
    best.
    """
    scores = record["scores"]
    methods = _backtest_methods(record)
    model = _model_name(methods)
    values = {m: {key: _number(scores[m].get(key)) if isinstance(scores[m], Mapping) else None
                  for key, _, _ in BACKTEST_COLUMNS} for m in methods}
    best: dict[str, set[str]] = {}
    for key, _, nominal in BACKTEST_COLUMNS:
        known = {m: v[key] for m, v in values.items() if v[key] is not None}
        if not known:
            best[key] = set()
            continue
        distance = {m: abs(x - nominal) if nominal is not None else x for m, x in known.items()}
        low = min(distance.values())
        best[key] = {m for m, d in distance.items() if math.isclose(d, low, abs_tol=1e-12)}
    head = "".join(
        f"<th>{_esc(title)}<br><small>"
        f"{'lower is better' if nominal is None else f'best near {100 * nominal:.0f} %'}"
        "</small></th>"
        for _, title, nominal in BACKTEST_COLUMNS
    )
    lines = [f'<table class="scores"><thead><tr><th class="name">method</th>{head}</tr>'
             "</thead><tbody>"]
    for m in methods:
        cells = []
        for key, _, nominal in BACKTEST_COLUMNS:
            x = values[m][key]
            text = "–" if x is None else (f"{100 * x:.1f} %" if nominal is not None
                                          else _format_number(x))
            classes = [c for c, on in (("model", m == model), ("best", m in best[key])) if on]
            cells.append(f'<td class="{" ".join(classes)}">{text}</td>')
        cls = "name model" if m == model else "name"
        lines.append(f'<tr><td class="{cls}">{_esc(m)}</td>{"".join(cells)}</tr>')
    lines.append("</tbody></table>")
    return "\n".join(lines)


def diebold_mariano_sentence(record: Mapping[str, Any], alpha: float = 0.05) -> str:
    """The Diebold–Mariano result of ``backtest.json`` in words (plain text).

    ``mean_difference`` is tsgan's mean daily score minus the reference's, so negative means
    tsgan scored lower (better). A p-value of ``alpha`` or more is reported as no significant
    difference, whichever way the mean points.
    """
    dm = record.get("diebold_mariano")
    methods = _backtest_methods(record)
    model = _model_name(methods)
    if not isinstance(dm, Mapping) or not dm.get("against"):
        return "This backtest holds no Diebold–Mariano test."
    against = str(dm["against"])
    metric = str(dm.get("metric", "energy"))
    metric_words = {"energy": "energy", "crps": "CRPS", "variogram": "variogram"}.get(
        metric, metric)
    diff, stat, p = (_number(dm.get(k)) for k in ("mean_difference", "statistic", "p_value"))
    n = dm.get("n")
    over = f" over {n} days" if _number(n) is not None else ""
    if diff is None:
        diff = stat
    if diff is None:
        return f"The Diebold–Mariano test against {against} gave no result."
    details = []
    if stat is not None:
        details.append(f"DM statistic {_signed(stat)}")
    if p is not None:
        details.append("p < 0.001" if p < 0.001 else f"p = {p:.2g}")
    detail = f" ({', '.join(details)})" if details else ""
    subject = f"{model}'s daily {metric_words} scores"
    if diff == 0:
        return f"{subject} equal {against}'s on average{over}{detail}: no difference."
    direction = "lower" if diff < 0 else "higher"
    amount = _signed(abs(diff))
    sentence = f"{subject} are {direction} than {against}'s on average by {amount}{over}{detail}"
    if p is None:
        return sentence + "; the test gave no p-value, so its significance is unknown."
    if p >= alpha:
        return (sentence + f", but the difference is not significant at the {alpha:.0%} level: "
                f"over this period {model} and {against} cannot be told apart.")
    if diff < 0:
        return sentence + f": {model} forecast significantly better than {against}."
    return sentence + f": {against} forecast significantly better than {model}."


def _what_was_done(record: Mapping[str, Any], methods: list[str]) -> str:
    """One paragraph: data, cutoff, period, members, seed, references and the command."""
    model = _model_name(methods)
    refs = [m for m in methods if m != model]
    source = record.get("data_source") or "an unnamed data source"
    sentences = [
        f"{model} was trained on {source} prices of the days before "
        f"{record.get('cutoff', '?')} and then forecast every delivery day from "
        f"{record.get('first_day', '?')} to {record.get('last_day', '?')} "
        f"({record.get('n_days', '?')} days) with {record.get('members', '?')} members each "
        f"(seed {record.get('seed', '?')}, preset {record.get('preset', '?')})."
    ]
    refit = _number(record.get("refit_every"))
    sentences.append("The model was trained once at the cutoff and not refitted."
                     if refit is None else f"The model was refitted every {refit:g} days.")
    exogenous = record.get("exogenous") or []
    if isinstance(exogenous, list) and exogenous:
        sentences.append("Exogenous inputs: " + ", ".join(str(x) for x in exogenous) + ".")
    if refs:
        sentences.append(f"Each day's forecast was scored against the prices that happened, "
                         f"as were {len(refs)} reference forecasts: {', '.join(refs)}.")
    seconds = record.get("seconds")
    if isinstance(seconds, Mapping):
        parts = [f"{name} {value:.1f} s" for name, value in
                 ((str(k), _number(v)) for k, v in seconds.items()) if value is not None]
        if parts:
            sentences.append("Time taken: " + ", ".join(parts) + ".")
    text = "<p>" + _esc(" ".join(sentences)) + "</p>"
    if record.get("command"):
        text += f"\n<p>Command: <code>{_esc(record['command'])}</code></p>"
    facts = []
    if record.get("data_fingerprint"):
        facts.append(f"data sha256 {str(record['data_fingerprint'])[:16]}…")
    if record.get("tsgan_version"):
        facts.append(f"tsgan {record['tsgan_version']}")
    if facts:
        text += f'\n<p class="note">{_esc(" · ".join(facts))}</p>'
    return text


def _backtest_plot(backtest_dir: Path, record: Mapping[str, Any], key: str, default: str,
                   alt: str, caption: str) -> str:
    """The embedded plot of ``key`` with its caption, or a note saying the file is missing."""
    plots = record.get("plots") if isinstance(record.get("plots"), Mapping) else {}
    name = str(plots.get(key) or default)
    path = backtest_dir / name
    inside = not Path(name).is_absolute() and ".." not in Path(name).parts
    if not inside or not path.is_file():
        return f'<p class="note">{_esc(alt)}: {_esc(name)} is missing from this backtest.</p>'
    try:
        uri = _data_uri(path)
    except (OSError, TsganError) as exc:
        return f'<p class="note">{_esc(alt)}: {_esc(name)} cannot be read ({_esc(exc)}).</p>'
    return (f'<figure><img src="{uri}" alt="{_esc(alt)}">'
            f"<figcaption>{_esc(caption)}</figcaption></figure>")


def build_backtest_html(backtest_dir: Path, record: Mapping[str, Any]) -> str:
    """Assemble the backtest page from ``backtest.json`` and the plots beside it."""
    methods = _backtest_methods(record)
    model = _model_name(methods)

    def section(anchor: str, body: str) -> str:
        title = dict(BACKTEST_SECTIONS)[anchor]
        return f'<section id="{anchor}"><h2>{_esc(title)}</h2>\n{body}\n</section>'

    best_ref = record.get("best_reference")
    scores_body = (
        "<p>Mean scores over all forecast days; the best value of each column is bold. "
        "Lower is better for the scores; coverage is best near its nominal level.</p>\n"
        + backtest_table_html(record)
        + (f"\n<p>Best reference: {_esc(best_ref)}.</p>" if best_ref else "")
        + f"\n<p><strong>Diebold–Mariano test.</strong> "
          f"{_esc(diebold_mariano_sentence(record))}</p>"
    )
    parts = [section("what", _what_was_done(record, methods)), section("scores", scores_body)]
    for key, default, alt, caption in BACKTEST_PLOTS:
        parts.append(section(key, _backtest_plot(backtest_dir, record, key, default, alt,
                                                 caption)))
    reading = "".join(f"<li><strong>{_esc(name)}</strong>: {_esc(text)}</li>"
                      for name, text in BACKTEST_READING)
    parts.append(section("reading", f'<ul class="reading">{reading}</ul>'))
    smard = "smard" in str(record.get("data_source", "")).lower()
    if smard:
        credit = (f'<p>Prices: <a href="{CREDIT_LINKS[0]}">Bundesnetzagentur | SMARD.de</a> '
                  f'(<a href="{CREDIT_LINKS[1]}">CC BY 4.0</a>).</p>')
    else:
        credit = (f'<p class="note">Prices: {_esc(record.get("data_source") or "unnamed")}; '
                  "credit them as their licence asks.</p>")
    parts.append(section("credit", credit))

    nav = "".join(f'<a href="#{a}">{_esc(t)}</a>' for a, t in BACKTEST_SECTIONS)
    now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"tsgan backtest: {backtest_dir.resolve().name}"
    meta = (f"{model} against {len(methods) - 1} references · "
            f"{record.get('first_day', '?')} to {record.get('last_day', '?')} · "
            f"{record.get('members', '?')} members")
    footer = f"Written by tsgan on {_esc(now)}"
    if smard:
        footer += f" · Prices: {_esc(CREDIT_TEXT)}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{CSS}{BACKTEST_CSS}</style></head><body>",
        f"<header><h1>{_esc(title)}</h1><p>{_esc(meta)}</p></header>",
        f"<nav>{nav}</nav><main>",
        *parts,
        "</main>",
        f"<footer>{footer}</footer>",
        "</body></html>",
    ]) + "\n"


def write_backtest_report(backtest_dir: PathLike, out: PathLike | None = None) -> Path:
    """Write one self-contained HTML page for the backtest in ``backtest_dir``.

    Reads ``backtest.json`` and embeds the plots it names; nothing is recomputed, and neither
    TensorFlow nor matplotlib is imported. ``out`` defaults to ``DIR/report.html``.
    """
    backtest_dir = Path(backtest_dir)
    record = _read_backtest(backtest_dir)
    page = build_backtest_html(backtest_dir, record)
    target = Path(out) if out is not None else backtest_dir / "report.html"
    write_text(target, page)
    return target
