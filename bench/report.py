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
# C# runs on two runtimes with different HTTP stacks (Mono's, CoreCLR's SocketsHttpHandler): each is a
# "language" of its own here, with the same contenders.
DOTNET = ["dotnet-mono", "dotnet-coreclr"]
LANGS = ["rust", "php", "java"] + DOTNET
BASELINES = {"php": "manual-sample", "java": "httpurlconnection", **{d: "manual-sample" for d in DOTNET}}
# The best hand-written client of each language (issue 14): the binding is compared with the fastest
# of these in the same scenario.
HAND_WRITTEN = {"php": ["curl-reused", "curl-per-request"], "java": ["httpclient"], "rust": ["raw-reqwest"],
                **{d: ["httpwebrequest-tuned", "httpclient"] for d in DOTNET}}
OURS = {"php": "binding", "java": "binding", "rust": "core-c-abi", **{d: "binding" for d in DOTNET}}
# Issue 14's targets: ours ÷ the best hand-written, per language (the core against the fixed raw
# reqwest blocking loop).
TARGETS = {"php": 1.0, "java": 1.0, "rust": 1.1, **{d: 1.0 for d in DOTNET}}
SCENARIOS = ["paycert", "token+paycert", "verify", "concurrent"]


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
            elif "load_after" in row:
                meta["load_after"] = row["load_after"]
            elif "footprint" in row:
                footprint[row["footprint"]].append(row)
            elif "us_per_call" in row or "rss_kb_after" in row:
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
    if meta.get("load_before"):
        out[-1] += (f" Load average (1, 5, 15 min) before: {meta['load_before']}; after: "
                    f"{meta.get('load_after', '?')}.")
    summary = {key: summarize(rows) for key, rows in runs.items()}
    raw = {s: summary.get((s, "rust", "raw-reqwest")) for s in SCENARIOS}
    for scenario in SCENARIOS:
        title = {"paycert": "paycert with a cached TOKEN",
                 "token+paycert": "verify as the manual does it: a new TOKEN, then paycert",
                 "verify": "verify with a cached TOKEN (paycert and the comparison with the order)",
                 "concurrent": "concurrent verify"}[scenario]
        keys = sorted(k for k in summary if k[0] == scenario)
        if not keys:
            continue
        out += ["", f"### Verify throughput: {title}", "", SCENARIO_NOTES[scenario], "",
                "| language | contender | calls/s | p50 µs | p99 µs | peak RSS MiB | × raw reqwest loop | × best hand-written | × the language's baseline |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for _, lang, contender in keys:
            s = summary[(scenario, lang, contender)]
            vs_raw = f"{s['calls_per_s'] / raw[scenario]['calls_per_s']:.2f}" if raw.get(scenario) else "—"
            best = best_hand_written(summary, scenario, lang)
            vs_best = f"{s['calls_per_s'] / best['calls_per_s']:.2f}" if best else "—"
            base = summary.get((scenario, lang, BASELINES.get(lang, "")))
            vs_base = f"{s['calls_per_s'] / base['calls_per_s']:.2f}" if base else "—"
            rss = f"{s['peak_rss_kb'] / 1024:.1f}" if s["peak_rss_kb"] else "—"
            out.append(f"| {lang} | {contender} | {s['calls_per_s']:,.0f} | {s['p50_us']:,.0f} | {s['p99_us']:,.0f} | "
                       f"{rss} | {vs_raw} | {vs_best} | {vs_base} |")
    out += target_table(summary)
    out += ["", "### Client-side overhead per call, no network", "",
            "| language | path | µs per call |", "|---|---|---:|"]
    for row in overhead:
        if "us_per_call" in row:
            out.append(f"| {row['lang']} | {row['scenario']} ({row['contender']}) | {row['us_per_call']:.2f} |")
    rss = [row for row in overhead if "rss_kb_after" in row]
    if rss:
        out += ["", "### Memory over many calls", "", "| language | calls | RSS before MiB | RSS after MiB |", "|---|---|---:|---:|"]
        for row in rss:
            out.append(f"| {row['lang']} | {row['calls']:,} × {row['what']} | {row['rss_kb_before'] / 1024:.1f} | "
                       f"{row['rss_kb_after'] / 1024:.1f} |")
    out += ["", "### Footprint", ""]
    if footprint.get("stripped_cdylib_bytes"):
        size = footprint["stripped_cdylib_bytes"][0]["value"]
        out.append(f"- stripped `libcookiepay.so`: {size / 1e6:.2f} MB ({size:,} bytes)")
    cold = footprint.get("cold_start", [])
    if cold:
        out.append(f"- dlopen to the end of the first call (TOKEN over HTTPS, cold TLS), median of {len(cold)} processes: "
                   f"{statistics.median(r['first_call_ms'] for r in cold):.1f} ms "
                   f"(of which dlopen {statistics.median(r['load_ms'] for r in cold):.2f} ms)")
        second = [r["second_thread_first_call_ms"] for r in cold if "second_thread_first_call_ms" in r]
        if second:
            out.append(f"- then the first call of a second thread (its own connection: TCP, TLS handshake, a fresh TOKEN), "
                       f"median: {statistics.median(second):.1f} ms")
    out += ["", "![verify throughput](bench/throughput.png)", "", END]
    return "\n".join(out), summary


SCENARIO_NOTES = {
    "paycert": "One call at a time. The hand-written contenders reuse one connection and one TOKEN.",
    "token+paycert": "One call at a time: a new TOKEN, then paycert, per verify.",
    "verify": ("One call at a time, cached TOKEN, paycert and the comparison with the stored order (ORDERNO, "
               "AMOUNT, not cancelled). The PHP binding builds its `Client` anew for every call, as each PHP "
               "request does; the hand-written contenders decode the answer and compare in their own language."),
    "concurrent": ("Java and C#: 16 threads sharing one client (the binding) or one HttpClient; PHP: 8 php-fpm "
                   "workers (the binding's preload recipe) driven over FastCGI by `bench/rust/fcgi_load.rs`, 8 "
                   "requests in flight, each request a verify as in the row above. PHP 8.2 cannot keep a curl handle "
                   "from one request to the next (`curl_share_init_persistent` is PHP 8.5), so the hand-written PHP "
                   "contender opens a connection per request (TOKEN cached in a file). Latency is per request as "
                   "the load generator sees it."),
}


def best_hand_written(summary, scenario, lang):
    rows = [summary[(scenario, lang, c)] for c in HAND_WRITTEN.get(lang, []) if (scenario, lang, c) in summary]
    return max(rows, key=lambda r: r["calls_per_s"]) if rows else None


def target_table(summary):
    out = ["", "### Issue 14 targets: ours ÷ the best hand-written client, same scenario, same run", "",
           "| language | scenario | ours | best hand-written | ratio | target | holds |", "|---|---|---|---|---:|---:|---|"]
    for lang in LANGS:
        for scenario in SCENARIOS:
            ours = summary.get((scenario, lang, OURS[lang]))
            rows = [(c, summary[(scenario, lang, c)]) for c in HAND_WRITTEN[lang] if (scenario, lang, c) in summary]
            if not ours or not rows:
                continue
            name, best = max(rows, key=lambda r: r[1]["calls_per_s"])
            ratio = ours["calls_per_s"] / best["calls_per_s"]
            target = TARGETS[lang]
            out.append(f"| {lang} | {scenario} | {OURS[lang]} | {name} | {ratio:.2f} | ≥ {target:.1f} | "
                       f"{'yes' if ratio >= target else '**no**'} |")
    return out


def plot(summary, path):
    contenders = sorted({(lang, c) for _, lang, c in summary})
    scenarios = [sc for sc in SCENARIOS if any(k[0] == sc for k in summary)]
    fig, axes = plt.subplots(1, len(scenarios), figsize=(5 * len(scenarios), 0.45 * len(contenders) + 1.5), sharey=True,
                             squeeze=False)
    for ax, scenario in zip(axes[0], scenarios):
        values = [summary.get((scenario, lang, c), {}).get("calls_per_s", 0) for lang, c in contenders]
        ax.barh([f"{lang} {c}" for lang, c in contenders], values,
                color=["#d95f02" if c in ("binding", "core-c-abi") else "#7570b3" for _, c in contenders])
        ax.set_xscale("log")
        ax.set_title(scenario)
        ax.set_xlabel("calls/s, log scale (higher is better)")
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
