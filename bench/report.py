"""Turn bench/run.sh's JSON lines into the client tables of BENCHMARKS.md and a PNG plot.

Usage: report.py RESULTS.jsonl BENCHMARKS.md PLOT.png
Only the part of BENCHMARKS.md between the bench:clients markers is replaced; every number written
there comes from RESULTS.jsonl, and the command that produced them is written with them.
"""
import json
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

BEGIN, END = "<!-- bench:clients:begin -->", "<!-- bench:clients:end -->"
BASELINES = {"php": "manual-sample", "dotnet": "manual-sample", "java": "httpurlconnection"}
SCENARIOS = ["paycert", "token+paycert"]


def load(path):
    meta, runs, overhead, footprint = {}, defaultdict(list), [], defaultdict(list)
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            if "machine" in row:
                meta = row
            elif "footprint" in row:
                footprint[row["footprint"]].append(row)
            elif "us_per_call" in row:
                overhead.append(row)
            else:
                runs[(row["scenario"], row["lang"], row["contender"])].append(row)
    return meta, runs, overhead, footprint


def summarize(rows):
    return {
        "calls_per_s": statistics.median(r["calls_per_s"] for r in rows),
        "p50_us": statistics.median(r["p50_us"] for r in rows),
        "p99_us": statistics.median(r["p99_us"] for r in rows),
        "peak_rss_kb": max(r["peak_rss_kb"] for r in rows),
        "rounds": len(rows),
        "calls": sum(r["calls"] for r in rows),
    }


def tables(meta, runs, overhead, footprint):
    out = [BEGIN, ""]
    out.append(f"Produced by `{meta.get('command', 'bench/run.sh')}` (then `bench/report.py`) on "
               f"{meta.get('machine', '?')}, {meta.get('date', '?')}. Contenders alternate within each "
               "round; the figures are medians over the rounds (peak RSS: the maximum).")
    summary = {key: summarize(rows) for key, rows in runs.items()}
    raw = {s: summary.get((s, "rust", "raw-reqwest")) for s in SCENARIOS}
    for scenario in SCENARIOS:
        title = {"paycert": "paycert with a cached TOKEN",
                 "token+paycert": "verify as the manual does it: a new TOKEN, then paycert"}[scenario]
        out += ["", f"### Verify throughput: {title}", "",
                "| language | contender | calls/s | p50 µs | p99 µs | peak RSS MiB | × raw reqwest loop | × the language's baseline |",
                "|---|---|---:|---:|---:|---:|---:|---:|"]
        keys = sorted(k for k in summary if k[0] == scenario)
        for _, lang, contender in keys:
            s = summary[(scenario, lang, contender)]
            vs_raw = s["calls_per_s"] / raw[scenario]["calls_per_s"] if raw[scenario] else float("nan")
            base = summary.get((scenario, lang, BASELINES.get(lang, "")))
            vs_base = f"{s['calls_per_s'] / base['calls_per_s']:.2f}" if base else "—"
            out.append(f"| {lang} | {contender} | {s['calls_per_s']:,.0f} | {s['p50_us']:,.0f} | {s['p99_us']:,.0f} | "
                       f"{s['peak_rss_kb'] / 1024:.1f} | {vs_raw:.2f} | {vs_base} |")
    out += ["", "### Client-side overhead per call, no network", "",
            "| language | path | µs per call |", "|---|---|---:|"]
    for row in overhead:
        out.append(f"| {row['lang']} | {row['scenario']} ({row['contender']}) | {row['us_per_call']:.2f} |")
    out += ["", "### Footprint", ""]
    if footprint.get("stripped_cdylib_bytes"):
        size = footprint["stripped_cdylib_bytes"][0]["value"]
        out.append(f"- stripped `libcookiepay.so`: {size / 1e6:.2f} MB ({size:,} bytes)")
    cold = footprint.get("cold_start", [])
    if cold:
        out.append(f"- dlopen to the end of the first call (TOKEN over HTTPS, cold TLS), median of {len(cold)} processes: "
                   f"{statistics.median(r['first_call_ms'] for r in cold):.1f} ms "
                   f"(of which dlopen {statistics.median(r['load_ms'] for r in cold):.2f} ms)")
    out += ["", "![verify throughput](bench/throughput.png)", "", END]
    return "\n".join(out), summary


def plot(summary, path):
    contenders = sorted({(lang, c) for _, lang, c in summary})
    fig, axes = plt.subplots(1, len(SCENARIOS), figsize=(12, 0.45 * len(contenders) + 1.5), sharey=True)
    for ax, scenario in zip(axes, SCENARIOS):
        values = [summary.get((scenario, lang, c), {}).get("calls_per_s", 0) for lang, c in contenders]
        ax.barh([f"{lang} {c}" for lang, c in contenders], values,
                color=["#d95f02" if c in ("binding", "core-c-abi") else "#7570b3" for _, c in contenders])
        ax.set_title(scenario)
        ax.set_xlabel("verify calls/s (higher is better)")
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("cookiepay vs. hand-written clients, loopback HTTPS to cookiepay-sandbox")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    results, doc_path, plot_path = sys.argv[1:4]
    meta, runs, overhead, footprint = load(results)
    text, summary = tables(meta, runs, overhead, footprint)
    doc = open(doc_path).read()
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip() + "\n\n## Clients (issue 7)\n\n" + text + "\n"
    open(doc_path, "w").write(doc)
    plot(summary, plot_path)
    print(text)


if __name__ == "__main__":
    main()
