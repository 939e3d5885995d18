"""`metersim report A.h5 [B.h5 ...] -o DIR`: one HTML page with plots of what the traces hold.

Writes DIR/index.html and its images beside it (DIR/img/*.png).  Several traces are shown
side by side, with the scenario keys where they differ.  Every number a test may check is in
an element with a `data-key` attribute (and `data-trace`, the trace's position).

DIR is created, or reused when an earlier report made it (it holds the marker file
.metersim-report); any other existing non-empty directory or file is refused, so nothing a
user owns is overwritten.  Bad input: one line on stderr, exit 2.
"""
import html
import os
import sys

import numpy as np
import pandas as pd

from . import analysis, tables
from .trace import Trace, TraceError

MARKER = ".metersim-report"
PROG = "metersim report"
USAGE = f"usage: {PROG} TRACE.h5 [TRACE.h5 ...] -o DIR"


class UsageError(Exception):
    pass


# ---- figures --------------------------------------------------------------------------------

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


class Figures:
    """Saves the figures of one trace as img/t<K>-<name>.png under OUT."""

    def __init__(self, out, k):
        self.out, self.k, self.plt = out, k, _plt()

    def new(self, w=6.4, h=3.4):
        fig, ax = self.plt.subplots(figsize=(w, h), dpi=90)
        return fig, ax

    def save(self, fig, name):
        rel = f"img/t{self.k}-{name}.png"
        fig.tight_layout()
        fig.savefig(os.path.join(self.out, rel))
        self.plt.close(fig)
        return rel


def _fmt(v, digits=1):
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-" if v is None or np.isnan(v) else "never"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return f"{v:.{digits}f}"


def groupings(traces, limit=2):
    """Household columns that split some trace's households into 2..8 groups, most telling
    first: the same for every trace, so their plots compare."""
    out = []
    for c in ("tariff", "dr_engaged", "generation", "payment", "heating", "dwelling", "wan_tech"):
        if any(1 < t.households[c].nunique() <= 8 for t in traces):
            out.append(c)
    return out[:limit]


def key_numbers(t):
    """The headline numbers of trace T (name -> value), as the page shows them."""
    n = {"households": t.n_households}
    imp = t.dataset("import_wh")
    n["periods"] = imp.shape[1]
    n["days"] = imp.shape[1] / 48.0
    total = t.channel_sum("import_wh").to_numpy().sum()
    n["import_kwh"] = total / 1000.0
    n["import_kwh_per_household"] = total / 1000.0 / max(t.n_households, 1)
    d = t.demand
    n["peak_demand_kw"] = float(d.max()) / 1000.0 if len(d) else float("nan")
    if t.has("headend_arrivals"):
        n["headend_messages"] = int(t.read("headend_arrivals").sum(dtype=np.int64))
    if t.has("billing"):
        n["mean_bill_gbp"] = float(t.billing["cost_gbp"].mean())
    dno = t.dno_restoration if t.has("dno_restoration") else {}
    if dno.get("restored"):
        n["dno_restored"] = int(dno["restored"])
        n["dno_known"] = int(dno["known"])
    return n


KEY_LABELS = {
    "households": ("households", 0), "days": ("simulated days", 2), "periods": ("settlement periods", 0),
    "import_kwh": ("import, all households [kWh]", 1),
    "import_kwh_per_household": ("import per household [kWh]", 2),
    "peak_demand_kw": ("peak total demand, 1-min mean [kW]", 1),
    "headend_messages": ("messages at the head-end", 0), "mean_bill_gbp": ("mean bill [GBP]", 2),
    "dno_restored": ("premises restored (storm and outages)", 0),
    "dno_known": ("of them known restored by the DNO", 0),
}


def _sections(t, figs, groups):
    """(title, [(image, caption)], html) per section the trace has data for."""
    out = []

    # demand and prices
    imgs = []
    d = t.demand
    if len(d):
        fig, ax = figs.new()
        (d.resample("30min").mean() / 1000.0).plot(ax=ax, color="tab:blue", lw=1)
        ax.set_ylabel("total demand [kW]")
        ax.set_xlabel("UTC")
        p = t.prices
        if "price_p_kwh" in p and len(p):
            ax2 = ax.twinx()
            p["price_p_kwh"].plot(ax=ax2, color="tab:red", lw=0.8, drawstyle="steps-post")
            ax2.set_ylabel("tariff price [p/kWh]", color="tab:red")
        ax.set_title("National (simulated) demand and price")
        imgs.append((figs.save(fig, "demand"), "Mean total demand per half-hour and the tariff's unit price."))
    if t.has("region_demand_w"):
        rd = t.region_demand
        if rd.shape[1] > 1 and len(rd):
            fig, ax = figs.new()
            (rd / 1000.0).plot(ax=ax, lw=0.8)
            ax.set_ylabel("demand [kW]")
            ax.legend(fontsize=6, ncol=2)
            ax.set_title("Demand by DNO region")
            imgs.append((figs.save(fig, "regions"), "Mean demand per settlement period by DNO region."))
    if imgs:
        out.append(("Demand and prices", imgs, ""))

    # daily profiles and the peak window
    imgs, extra = [], ""
    for g in groups or [None]:
        prof = analysis.daily_profile(t, by=g)
        fig, ax = figs.new()
        prof.plot(ax=ax, lw=1.2)
        ax.set_ylabel("kW per household")
        ax.set_xlabel("half-hour of day (UTC)")
        ax.set_title(f"Average day{' by ' + g if g else ''}")
        imgs.append((figs.save(fig, f"profile-{g or 'all'}"),
                     f"Average daily profile (after diversity){' by ' + g if g else ''}."))
    g = groups[0] if groups else None
    we = analysis.window_energy(t, by=g)
    fig, ax = figs.new(5.0, 3.2)
    (100 * we["share"]).plot.bar(ax=ax, color="tab:purple")
    ax.set_ylabel("share of import in 16:00-19:00 [%]")
    ax.set_title("Peak-window share" + (f" by {g}" if g else ""))
    imgs.append((figs.save(fig, "window"), "Share of each group's import in the 16:00-19:00 UTC window."))
    pr = analysis.peak_rebound(t, by=g)
    extra = _table(pd.concat([we[["households", "window_kwh", "share"]], pr], axis=1), "peak")
    out.append(("Daily profiles and the 16:00-19:00 window", imgs, extra))

    # bills
    if t.has("billing"):
        imgs, extra = [], ""
        for by in (groups or ["tariff"])[:2]:
            b = analysis.bills(t, by=by)
            fig, ax = figs.new(5.0, 3.2)
            b["mean_gbp"].plot.bar(ax=ax, color="tab:green")
            ax.set_ylabel("mean bill over the run [GBP]")
            ax.set_title(f"Bills by {by}")
            imgs.append((figs.save(fig, f"bills-{by}"), f"Mean bill per household by {by}."))
            extra += _table(b, f"bills-{by}")
        out.append(("Bills", imgs, extra))

    # head-end
    if t.has("headend_arrivals"):
        imgs = []
        he = t.headend(["arrivals", "queue_max", "dropped"])
        per_min = he.resample("1min").agg({"arrivals": "sum", "queue_max": "max", "dropped": "sum"})
        fig, ax = figs.new()
        per_min["arrivals"].plot(ax=ax, lw=0.8, label="arrivals per minute")
        per_min["dropped"].plot(ax=ax, lw=0.8, color="tab:red", label="dropped per minute")
        ax2 = ax.twinx()
        per_min["queue_max"].plot(ax=ax2, lw=0.8, color="tab:orange", label="largest queue")
        ax2.set_ylabel("largest queue", color="tab:orange")
        ax.set_ylabel("requests per minute")
        ax.legend(fontsize=7, loc="upper left")
        ax.set_title("Head-end arrivals and queue")
        imgs.append((figs.save(fig, "headend"), "Requests reaching the head-end per minute, drops and the largest queue."))
        extra = ""
        if t.has("headend_class_stats"):
            cs = t.headend_classes
            used = cs[(cs["offered"] > 0) & (cs.index != "total")]
            if len(used):
                fig, ax = figs.new(5.0, 3.2)
                used[["resp_p50_s", "resp_p99_s"]].plot.bar(ax=ax)
                ax.set_ylabel("response time [s]")
                ax.set_title("Head-end response by request class")
                imgs.append((figs.save(fig, "classes"), "Median and 99th percentile response by class."))
            extra = _table(cs[cs["offered"] > 0], "classes")
        extra += _table(analysis.headend_load(t), "phases")
        out.append(("Head-end load", imgs, extra))

    # cells
    if t.has("cell_queue") and t.dataset("cell_queue").shape[1] > 0:
        cs = t.cell_summary(60)
        fig, ax = figs.new()
        cs["queue_max"].plot(ax=ax, lw=0.8, label="largest cell queue")
        ax.set_ylabel("messages")
        ax2 = ax.twinx()
        cs["arrivals"].plot(ax=ax2, lw=0.6, color="tab:gray", label="cell arrivals")
        ax2.set_ylabel("cell arrivals per minute", color="tab:gray")
        ax.set_title(f"WAN cells ({t.dataset('cell_queue').shape[1]} areas)")
        out.append(("Cell queues", [(figs.save(fig, "cells"), "Largest queue over all cells and all cell arrivals, per minute.")],
                    _table(t.areas.drop(columns=["region", "tech"]), "areas") if len(t.areas) <= 30 else ""))

    # price delivery
    if t.has("price_updates") and len(t.read("price_updates")):
        pu = t.price_updates
        fig, ax = figs.new()
        ax.plot(pu["sent"], pu["lag_mean_s"], "o-", ms=3, label="mean lag")
        ax.plot(pu["sent"], pu["lag_max_s"], "x-", ms=3, label="largest lag")
        ax.set_xlim(t.start, t.periods(t.dataset("import_wh").shape[1], 1)[0])
        ax.set_ylim(bottom=0)
        fig.autofmt_xdate()
        ax.set_ylabel("send to acceptance [s]")
        ax.legend(fontsize=7)
        ax.set_title("Price delivery lag over the WAN")
        tot = pu[["received", "rejected", "lost", "late"]].sum()
        out.append(("Price delivery", [(figs.save(fig, "prices"), "Lag from the head-end's send to the meters' acceptance, per update.")],
                    _table(tot.to_frame("meters").T, "price-delivery")))

    # storm and outages
    if len(t.events("SUPPLY_LOST")):
        sc = analysis.storm_curves(t)
        fig, ax = figs.new()
        for c, lab in (("off", "premises off"), ("ad1_delivered", "AD1 delivered"),
                       ("restore_sent", "restore alerts sent"), ("restore_delivered", "restore alerts delivered"),
                       ("restored", "premises restored"), ("dno_known", "DNO knows restored")):
            sc[c].plot(ax=ax, lw=1, label=lab)
        ax.set_ylabel("premises / alerts (cumulative)")
        ax.legend(fontsize=6)
        ax.set_title("Outages, alerts and the DNO's view")
        imgs = [(figs.save(fig, "storm"), "Premises off, alerts and what the DNO knows, over time.")]
        view = analysis.dno_view(t)
        why = view["reason"].dropna().value_counts()
        if len(why):
            fig, ax = figs.new(5.6, 3.2)
            why.sort_values().plot.barh(ax=ax, color="tab:red")
            ax.set_xlabel("restored premises")
            ax.set_title("Restorations the DNO never heard of, and why")
            imgs.append((figs.save(fig, "never"), "Why restore alerts never arrived."))
        dno = t.dno_restoration
        extra = _table(pd.DataFrame([dno]), "dno") if dno else ""
        out.append(("Outages and restoration", imgs, extra))

    # HAN
    if t.has("han_premises") and len(t.read("han_premises")):
        han = t.han
        fig, ax = figs.new(5.0, 3.2)
        bat = han["gas_battery_years"].dropna()
        if len(bat):
            ax.hist(bat, bins=30, color="tab:brown")
        ax.set_xlabel("projected gas meter battery life [years]")
        ax.set_ylabel("premises")
        ax.set_title("Gas meter battery life (HAN)")
        imgs = [(figs.save(fig, "battery"), "Projected battery life of gas meters.")]
        fig, ax = figs.new(5.0, 3.2)
        ax.hist(han["p_deliver"], bins=30, color="tab:cyan")
        ax.set_xlabel("HAN messages delivered [fraction]")
        ax.set_ylabel("premises")
        ax.set_title(f"HAN reach: {100 * han['works'].mean():.1f} % of premises fully work")
        imgs.append((figs.save(fig, "han"), "Share of HAN messages acknowledged per premises."))
        out.append(("Home-area network", imgs, ""))

    # fleet
    if t.has("fleet_daily") and len(t.read("fleet_daily")) > 1:
        fd = t.fleet_daily
        fig, ax = figs.new()
        cols = ["smets2_dcc", "smets2_dumb", "smets1_operator", "smets1_dcc", "smets1_dumb", "traditional"]
        fd[cols].plot.area(ax=ax, lw=0)
        ax.set_ylabel("meters")
        ax.legend(fontsize=6)
        ax.set_title("Meters by generation and route")
        imgs = [(figs.save(fig, "fleet"), "Meters at each day's end by generation and route.")]
        fig, ax = figs.new()
        fd[["installs", "switches", "gone_dumb", "migrations", "migration_failures", "faults"]].cumsum().plot(ax=ax, lw=1)
        ax.set_ylabel("cumulative")
        ax.legend(fontsize=6)
        ax.set_title("Fleet events")
        imgs.append((figs.save(fig, "fleet-events"), "Installs, switches, SMETS1 meters gone dumb, migrations and faults, cumulative."))
        out.append(("Fleet", imgs, ""))
    return out


def _table(df, name):
    df = df.copy()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [df.index.name or ""] + list(df.columns))
    body = []
    for idx, row in df.iterrows():
        cells = "".join(f"<td>{html.escape(_fmt(v, 3) if isinstance(v, float) else str(v))}</td>" for v in row)
        body.append(f"<tr><th>{html.escape(str(idx))}</th>{cells}</tr>")
    return f'<table class="data" data-table="{name}"><tr>{head}</tr>{"".join(body)}</table>'


# ---- scenario differences --------------------------------------------------------------------

def flatten(node, prefix=""):
    """Nested scenario dicts and lists as {"a.b[0].c": value}."""
    out = {}
    if isinstance(node, dict):
        for k, v in node.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(node, list) and node:
        for i, v in enumerate(node):
            out.update(flatten(v, f"{prefix}[{i}]"))
    else:
        out[prefix] = node
    return out


def scenario_differences(traces):
    flat = [flatten(t.scenario) for t in traces]
    keys = sorted(set().union(*flat))
    return [(k, [f.get(k, "(absent)") for f in flat]) for k in keys
            if len({repr(f.get(k, "(absent)")) for f in flat}) > 1]


# ---- page --------------------------------------------------------------------------------------

CSS = """
body{font-family:sans-serif;margin:1.5em;max-width:100%;color:#222}
h1{font-size:1.5em} h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
.row{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
.trace{flex:1 1 0;min-width:420px;overflow-x:auto}
figure{margin:0 0 1em 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right} th{background:#f4f4f4}
"""


def _guarded(t, fn, *args):
    """FN(*ARGS), with data that does not fit what a trace holds reported as T's damage."""
    try:
        return fn(*args)
    except (KeyError, ValueError, IndexError) as e:
        raise TraceError(f"{t.path}: damaged or unexpected trace: {e.__class__.__name__}: {e}") from None


def render(traces, out):
    """Write the report of TRACES (open Trace objects) into directory OUT; the page's path."""
    os.makedirs(os.path.join(out, "img"), exist_ok=True)
    for f in os.listdir(os.path.join(out, "img")):
        if f.startswith("t") and f.endswith(".png"):
            os.remove(os.path.join(out, "img", f))
    with open(os.path.join(out, MARKER), "w", encoding="utf-8") as f:
        f.write("written by metersim report; the directory may be rewritten by it\n")
    names = [os.path.basename(t.path) for t in traces]
    numbers = [_guarded(t, key_numbers, t) for t in traces]
    groups = groupings(traces)
    sections = [_guarded(t, _sections, t, Figures(out, k), groups) for k, t in enumerate(traces)]

    h = [f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>metersim report: "
         f"{html.escape(', '.join(names))}</title><style>{CSS}</style></head><body>",
         f"<h1>metersim report: {html.escape(', '.join(names))}</h1>"]
    h.append("<h2>Traces</h2><table data-table=traces><tr><th></th>" +
             "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>")
    for label, key in (("file", None), ("scenario", "scenario_name"), ("seed", "seed"),
                       ("span", None), ("complete", "complete"), ("metersim", "metersim_version")):
        cells = []
        for t in traces:
            if label == "file":
                v = t.path
            elif label == "span":
                v = f"{t.meta['sim_start']} .. {t.meta.get('sim_end', '?')}"
            else:
                v = t.meta.get(key, "?")
                v = ("yes" if v else "NO: interrupted run") if key == "complete" else v
            cells.append(f"<td>{html.escape(str(v))}</td>")
        h.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    for key, (label, digits) in KEY_LABELS.items():
        if not any(key in n for n in numbers):
            continue
        cells = "".join(f'<td data-key="{key}" data-trace="{k}">{_fmt(n.get(key), digits) if key in n else "-"}</td>'
                        for k, n in enumerate(numbers))
        h.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    h.append("</table>")
    if len(traces) > 1:
        diffs = scenario_differences(traces)
        h.append("<h2>Scenario differences</h2>")
        if diffs:
            h.append("<table data-table=differences><tr><th>key</th>" +
                     "".join(f"<th>{html.escape(n)}</th>" for n in names) + "</tr>")
            for k, vals in diffs:
                h.append(f'<tr><th data-diff="{html.escape(k)}">{html.escape(k)}</th>' +
                         "".join(f"<td>{html.escape(str(v))}</td>" for v in vals) + "</tr>")
            h.append("</table>")
        else:
            h.append("<p>The resolved scenarios are identical.</p>")
    titles = list(dict.fromkeys(title for s in sections for title, _, _ in s))
    for title in titles:
        h.append(f"<h2>{html.escape(title)}</h2><div class=row>")
        for k, s in enumerate(sections):
            part = next((x for x in s if x[0] == title), None)
            h.append(f'<div class=trace data-trace="{k}"><h3>{html.escape(names[k])}</h3>')
            if part is None:
                h.append("<p>Not in this trace.</p>")
            else:
                for img, cap in part[1]:
                    h.append(f'<figure><img src="{img}" alt="{html.escape(cap)}">'
                             f"<figcaption>{html.escape(cap)}</figcaption></figure>")
                h.append(part[2])
            h.append("</div>")
        h.append("</div>")
    h.append("<p><small>Times are UTC. Written by metersim report (analysis/metersim).</small></p>"
             "</body></html>\n")
    page = os.path.join(out, "index.html")
    tmp = page + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(h))
    os.replace(tmp, page)
    return page


def check_output_dir(out):
    """Refuse OUT when it is a file or a non-empty directory that no report made."""
    if os.path.isdir(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise UsageError(f"{out}: exists and is not a metersim report directory (no {MARKER}); "
                             "refusing to write into it, choose another -o")
    elif os.path.exists(out):
        raise UsageError(f"{out}: exists and is not a directory")


def parse_args(argv):
    traces, out, i = [], None, 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(USAGE)
            sys.exit(0)
        if a in ("-o", "--output"):
            if i + 1 >= len(argv):
                raise UsageError(f"{a} needs a directory ({USAGE})")
            out, i = argv[i + 1], i + 2
            continue
        if a.startswith("-") and a != "-":
            raise UsageError(f"unknown option {a} ({USAGE})")
        traces.append(a)
        i += 1
    if not traces or not out:
        raise UsageError(USAGE if not traces else f"no output directory: give -o DIR ({USAGE})")
    return traces, out


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    opened = []
    try:
        paths, out = parse_args(argv)
        check_output_dir(out)
        for p in paths:
            opened.append(Trace(p))
        page = render(opened, out)
    except (UsageError, TraceError) as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{PROG}: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    finally:
        for t in opened:
            t.close()
    print(f"{PROG}: wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
