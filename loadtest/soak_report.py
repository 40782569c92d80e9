#!/usr/bin/env python3
"""The soak's verdict and its HTML page (one self-contained file, inline SVG).

    soak_report.py SAMPLES_CSV OUT_HTML WARMUP_S SPEAKERS DURATION_S ENGINES

Prints a markdown summary: resident-set growth from the end of warm-up to
the end of the load, and descriptors, threads and actors after the speakers
left against before they came.
"""

import csv
import html
import sys

SERIES = [("rss_kib", "resident set (KiB)"), ("fds", "open file descriptors"),
          ("threads", "threads"), ("actors", "actors in the registry")]
PHASE_COLOUR = {"before": "#888", "load": "#1f6feb", "after": "#2da44e"}


def read(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        for key in ["t_s"] + [k for k, _ in SERIES]:
            r[key] = int(r[key])
    return rows


def chart(rows, key, title, warmup_at):
    w, h, pad = 640, 180, 40
    t_max = max(r["t_s"] for r in rows) or 1
    lo, hi = min(r[key] for r in rows), max(r[key] for r in rows)
    lo, hi = (lo - 1, hi + 1) if lo == hi else (lo, hi)

    def x(t):
        return pad + (w - 2 * pad) * t / t_max

    def y(v):
        return h - pad + (2 * pad - h) * (v - lo) / (hi - lo)

    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="{pad}" y="16" font-size="13">{html.escape(title)}</text>',
             f'<text x="2" y="{y(hi) + 4:.0f}" font-size="10">{hi}</text>',
             f'<text x="2" y="{y(lo) + 4:.0f}" font-size="10">{lo}</text>',
             f'<text x="{w - pad}" y="{h - 8}" font-size="10" text-anchor="end">{t_max} s</text>']
    if warmup_at is not None:
        parts.append(f'<line x1="{x(warmup_at):.1f}" x2="{x(warmup_at):.1f}" y1="{pad / 2}" '
                     f'y2="{h - pad}" stroke="#d29922" stroke-dasharray="4"/>')
    for phase, colour in PHASE_COLOUR.items():
        points = " ".join(f"{x(r['t_s']):.1f},{y(r[key]):.1f}" for r in rows if r["phase"] == phase)
        if points:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                         f'points="{points}"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def verdict(rows, warmup):
    load = [r for r in rows if r["phase"] == "load"]
    before = [r for r in rows if r["phase"] == "before"]
    after = [r for r in rows if r["phase"] == "after"]
    if not load or not before or not after:
        raise SystemExit("soak_report: the samples lack a phase (before, load, after)")
    start = load[0]["t_s"]
    warm = next((r for r in load if r["t_s"] - start >= warmup), load[-1])
    end = load[-1]
    growth = 100.0 * (end["rss_kib"] - warm["rss_kib"]) / warm["rss_kib"]
    lines = [f"| resident set after warm-up ({warm['t_s'] - start} s) | {warm['rss_kib']} KiB |",
             f"| resident set at the end of the load | {end['rss_kib']} KiB |",
             f"| growth after warm-up | {growth:+.2f} % |"]
    for key, title in SERIES[1:]:
        lines.append(f"| {title}: before / peak / after | {before[-1][key]} / "
                     f"{max(r[key] for r in load)} / {after[-1][key]} |")
    return lines, warm["t_s"]


def main():
    path, out, warmup, speakers, duration, engines = sys.argv[1:7]
    rows = read(path)
    lines, warmup_at = verdict(rows, int(warmup))
    print(f"## Soak: {speakers} speakers for {duration} s, {engines} engines")
    print()
    print("| measure | value |")
    print("| --- | ---: |")
    print("\n".join(lines))
    page = ["<!doctype html><meta charset=utf-8><title>Parley soak</title>",
            "<style>body{font-family:sans-serif;margin:2em}svg{display:block;margin:1em 0}"
            "table{border-collapse:collapse}td{border:1px solid #ccc;padding:2px 8px}</style>",
            f"<h1>Soak: {html.escape(speakers)} speakers for {html.escape(duration)} s, "
            f"{html.escape(engines)} engines</h1>",
            "<p>grey: before the load; blue: under load; green: after the speakers left; "
            "dashed: end of warm-up.</p><table>"]
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        page.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    page.append("</table>")
    for key, title in SERIES:
        page.append(chart(rows, key, title, warmup_at))
    with open(out, "w") as f:
        f.write("\n".join(page) + "\n")


if __name__ == "__main__":
    main()
