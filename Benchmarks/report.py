#!/usr/bin/env python3
"""The report of one `make bench` run (Benchmarks/run.sh), from its raw outputs.

    report.py RAW-DIR RESULTS-DIR README

Reads RAW-DIR (pgbench's and wrk's outputs, meta.txt, startup.txt, rss.txt) and writes RESULTS-DIR/latest.md (every figure), RESULTS-DIR/latest.svg
(throughput and p99 per scenario) and the ratio table between the markers in README.
Python 3 standard library only. Exits 1 when the run is not valid: `ota-admin verify`
found drift, the pool oversold, or a scenario's answers were errors; a missed performance
target is reported as FAIL but is not an error (the figures are noisy on a shared machine).
"""
import html
import os
import re
import sys

# (key, scenario, tool, connections, chart label); the order of the tables and the chart.
SCENARIOS = [
    ("pg_row_8", "single-row SELECT ... FOR UPDATE + UPDATE (the limit)", "pgbench", 8, "limit: single row"),
    ("pg_row_64", "single-row SELECT ... FOR UPDATE + UPDATE (the limit)", "pgbench", 64, "limit: single row"),
    ("pg_three_32", "3-row SELECT (the read limit)", "pgbench", 32, "limit: 3-row SELECT"),
    ("pg_hold_64", "hold-like: SKIP LOCKED 1 of 32 rows + UPDATE + INSERT", "pgbench", 64, "hold-like, 32 rows"),
    ("pg_hold_notify_64", "the same + one pg_notify", "pgbench", 64, "hold-like + pg_notify"),
    ("holds_64", "POST /api/ota/reserve, quantity 1, product 106", "wrk", 64, "holds, product 106"),
    ("inventory_32", "GET /api/ota/inventory", "wrk", 32, "GET inventory"),
    ("inventory_256", "GET /api/ota/inventory", "wrk", 256, "GET inventory"),
    ("livez_50", "GET /livez (no database)", "wrk", 50, "GET /livez"),
]
BEGIN, END = "<!-- bench:results:begin -->", "<!-- bench:results:end -->"


def key_values(path):
    values = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                values[key] = value
    return values


def wrk_duration_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(path):
    text = open(path).read()
    result = {"rate": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
              "requests": int(re.search(r"(\d+) requests in", text).group(1)),
              "avg": wrk_duration_ms(re.search(r"^\s+Latency\s+(\S+)", text, re.M).group(1))}
    for percent in ("50", "90", "99"):
        found = re.search(rf"^\s+{percent}%\s+(\S+)", text, re.M)
        result["p" + percent] = wrk_duration_ms(found.group(1)) if found else None
    found = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    result["errors"] = int(found.group(1)) if found else 0
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    result["socket_errors"] = sum(map(int, found.groups())) if found else 0
    return result


def parse_pgbench(path):
    # pgbench's per-transaction latencies are not usable for percentiles: a thread with
    # many clients reads its clock lazily, so most short transactions log 0 us. Its
    # average (clients / tps) is exact, and wrk's percentiles are what the targets need.
    text = open(path).read()
    result = {"rate": float(re.search(r"^tps = ([\d.]+)", text, re.M).group(1)),
              "avg": float(re.search(r"^latency average = ([\d.]+) ms", text, re.M).group(1)),
              "p50": None, "p90": None, "p99": None, "socket_errors": 0}
    found = re.search(r"number of failed transactions: (\d+)", text)
    result["errors"] = int(found.group(1)) if found else 0
    return result


def figures(raw):
    found = {}
    for key, _, tool, _, _ in SCENARIOS:
        if tool == "wrk" and os.path.exists(f"{raw}/{key}.wrk"):
            found[key] = parse_wrk(f"{raw}/{key}.wrk")
        elif tool == "pgbench" and os.path.exists(f"{raw}/{key}.pgbench"):
            found[key] = parse_pgbench(f"{raw}/{key}.pgbench")
    return found


def ms(value):
    return "-" if value is None else (f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms")


def count(value):
    return f"{value:,.0f}"


def round_files(meta):
    """The wrk outputs of the alternating rounds' holds."""
    return [p for r in range(1, int(meta.get("rounds") or 0) + 1)
            if os.path.exists(p := f"{meta['raw']}/holds_64_r{r}.wrk")]


def round_ratios(raw, meta):
    """holds@64 / best single-row limit of each alternating round (run.sh), in order."""
    ratios = []
    for r in range(1, int(meta.get("rounds") or 0) + 1):
        files = [f"{raw}/pg_row_8_r{r}.pgbench", f"{raw}/pg_row_64_r{r}.pgbench", f"{raw}/holds_64_r{r}.wrk"]
        if all(os.path.exists(x) for x in files):
            limit = max(parse_pgbench(files[0])["rate"], parse_pgbench(files[1])["rate"])
            holds = parse_wrk(files[2])
            if holds["errors"] + holds["socket_errors"]:
                raise SystemExit(f"report: {files[2]} has {holds['errors']} error answers, {holds['socket_errors']} socket errors")
            ratios.append(holds["rate"] / limit)
    return ratios


def hold_ratio(f, meta):
    """The hold ratio the target is judged on: the median over the first measurement and
    the alternating rounds (the lower of the two middle values when their number is even),
    and every value."""
    first = f["holds_64"]["rate"] / max(f["pg_row_8"]["rate"], f["pg_row_64"]["rate"])
    values = [first] + round_ratios(meta["raw"], meta)
    return sorted(values)[(len(values) - 1) // 2], values


def checks(f, meta):
    """(what, measured, target, passed) rows: the ratios of issue 10, then validity."""
    median, values = hold_ratio(f, meta)
    livez = f["livez_50"]["rate"]
    samples = [int(line) for line in open(meta["raw"] + "/rss.txt") if line.strip().isdigit()]
    rss_mb = max(samples + [int(meta.get("rss_hwm_kb") or 0)]) / 1024
    start_ms = float(meta["start_to_ready_ms"])
    allocated, reserved, sold, held = map(int, meta["pool"].split())
    rows = [
        (f"holds@64 / best pgbench single-row (median of {len(values)}: {', '.join(f'{v:.2f}' for v in values)})",
         f"{median:.2f}x", ">= 1.5x", median >= 1.5),
        ("inventory@32 / livez@50", f"{f['inventory_32']['rate'] / livez:.2f}x", ">= 0.5x",
         f["inventory_32"]["rate"] / livez >= 0.5),
        ("inventory@256 / livez@50", f"{f['inventory_256']['rate'] / livez:.2f}x", ">= 0.5x",
         f["inventory_256"]["rate"] / livez >= 0.5),
        ("inventory p99 @256", ms(f["inventory_256"]["p99"]), "<= 10 ms", (f["inventory_256"]["p99"] or 1e9) <= 10),
        ("gateway RSS, max through the run", f"{rss_mb:.1f} MB", "< 60 MB", rss_mb < 60),
        ("start to ready (median)", f"{start_ms / 1000:.3f} s", "< 0.5 s", start_ms < 500),
    ]
    valid = [
        ("`ota-admin verify` after the holds", "clean" if meta["verify_rc"] == "0" else f"exit {meta['verify_rc']}",
         "clean", meta["verify_rc"] == "0"),
        ("no oversell: active holds' units = reserved; reserved + sold <= allocated",
         f"{held:,} = {reserved:,}; {reserved + sold:,} <= {allocated:,}", "true",
         held == reserved and reserved + sold <= allocated),
        ("every answer 2xx, no socket errors", str(sum(f[k]["errors"] + f[k]["socket_errors"] for k in f)), "0",
         all(f[k]["errors"] + f[k]["socket_errors"] == 0 for k in f)),
    ]
    return rows, valid


def table(rows):
    lines = ["| what | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {what} | {measured} | {target} | {'pass' if ok else '**FAIL**'} |" for what, measured, target, ok in rows]
    return lines


def raw_table(f):
    lines = ["| scenario | tool | connections | per second | mean | p50 | p90 | p99 | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, name, tool, conns, _ in SCENARIOS:
        if key in f:
            r = f[key]
            lines.append(f"| {name} | {tool} | {conns} | {count(r['rate'])} | {ms(r['avg'])} | {ms(r['p50'])} | {ms(r['p90'])} | "
                         f"{ms(r['p99'])} | {r['errors'] + r['socket_errors']} |")
    return lines


def context(f, meta):
    limit = max(f["pg_row_8"]["rate"], f["pg_row_64"]["rate"])
    return [
        f"- inventory@32 / pgbench 3-row SELECT: {f['inventory_32']['rate'] / f['pg_three_32']['rate']:.2f}x; "
        f"holds@64 / pgbench single-row at 64 clients: {f['holds_64']['rate'] / f['pg_row_64']['rate']:.2f}x "
        f"(best single-row: {count(limit)} tps).",
        f"- One pg_notify in the hold-like transaction: {count(f['pg_hold_notify_64']['rate'])} against "
        f"{count(f['pg_hold_64']['rate'])} tps without "
        f"({f['pg_hold_notify_64']['rate'] / f['pg_hold_64']['rate']:.2f}x): why a hold notifies the expiry "
        "worker only when it expires before every other active hold.",
        f"- Holds made during holds@64 and its rounds: {int(meta['holds_made']):,} (wrk counted "
        f"{f['holds_64']['requests'] + sum(parse_wrk(p)['requests'] for p in round_files(meta)):,} answers); "
        f"stripes of product 106: {meta['stripes']}.",
        f"- Start to ready, every try: {meta['start_to_ready_tries_ms']} ms.",
    ]


def svg_chart(f, path):
    """Two panels of horizontal bars: throughput and p99 per scenario."""
    rows = [(key, f"{label} ({tool}, {conns})", tool) for key, _, tool, conns, label in SCENARIOS if key in f]
    label_w, panel_w, bar_h, gap, top = 250, 300, 18, 8, 48
    width, height = label_w + 2 * panel_w + 120, top + len(rows) * (bar_h + gap) + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{label_w}" y="20" font-weight="bold">per second (bars to scale)</text>',
           f'<text x="{label_w + panel_w + 60}" y="20" font-weight="bold">p99 latency, ms</text>',
           f'<text x="10" y="{height - 10}" fill="#555">grey: pgbench on scratch tables (the limits); '
           'blue: the service over HTTP (wrk); - : pgbench gives no percentiles</text>']
    for panel, (metric, unit) in enumerate((("rate", ""), ("p99", " ms"))):
        values = [f[key][metric] for key, _, _ in rows]
        top_value = max(v for v in values if v is not None) or 1
        x0 = label_w + panel * (panel_w + 60)
        for i, ((key, label, tool), value) in enumerate(zip(rows, values)):
            y = top + i * (bar_h + gap)
            if panel == 0:
                out.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{html.escape(label)}</text>')
            if value is None:  # pgbench: no percentiles (see parse_pgbench)
                out.append(f'<text x="{x0}" y="{y + 13}" fill="#555">-</text>')
                continue
            w = max(1, value / top_value * (panel_w - 10))
            colour = "#9a9a9a" if tool == "pgbench" else "#3b7dd8"
            text = count(value) if metric == "rate" else f"{value:.1f}"
            out.append(f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
            out.append(f'<text x="{x0 + w + 4:.1f}" y="{y + 13}">{text}{unit}</text>')
    out.append("</svg>")
    with open(path, "w") as file:
        file.write("\n".join(out) + "\n")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: report.py RAW-DIR RESULTS-DIR README")
    raw, results, readme = sys.argv[1:]
    meta = key_values(f"{raw}/meta.txt") | key_values(f"{raw}/startup.txt") | {"raw": raw}
    f = figures(raw)
    missing = [key for key, *_ in SCENARIOS if key not in f]
    if missing:
        sys.exit(f"report: no output for {', '.join(missing)} in {raw}")
    rows, valid = checks(f, meta)
    header = (f"Run {meta['date']} on {meta['cores']} cores, `{meta['command']}` ({meta['seconds']} s per scenario), "
              f"release build; PostgreSQL {meta['postgres']} ({meta['settings']}); wrk -t2 and pgbench -j2 on the same "
              f"cores; gateway {meta['gateway']}.")
    latest = [header, "", *raw_table(f), "", *table(rows + valid), "", *context(f, meta)]
    with open(f"{results}/latest.md", "w") as file:
        file.write("\n".join(latest) + "\n")
    svg_chart(f, f"{results}/latest.svg")

    section = [BEGIN, header, "", *table(rows + valid), "", *context(f, meta), "",
               "![throughput and p99 per scenario](results/latest.svg)", "",
               "Every figure of the run: [results/latest.md](results/latest.md).", END]
    text = open(readme).read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + "\n".join(section) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    with open(readme, "w") as file:
        file.write(text)

    print("\n".join(table(rows + valid)))
    print(f"written: {results}/latest.md, {results}/latest.svg, {readme}")
    if not all(ok for _, _, _, ok in valid):
        sys.exit("bench: the run is not valid (see the last rows above)")


if __name__ == "__main__":
    main()
