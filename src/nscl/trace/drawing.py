"""The trace graph drawn on the server as SVG (no JavaScript, no build step): the start on one side,
each hop a column further (to the left when tracing back, to the right when tracing forward)."""
from __future__ import annotations

from collections import defaultdict, deque
from xml.sax.saxutils import escape

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 210, 46, 70, 18, 16


def _depths(start, nodes, edges):
    near = defaultdict(set)
    for e in edges:
        near[e["source"]].add(e["target"])
        near[e["target"]].add(e["source"])
    depth = {start: 0}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        for m in sorted(near[n]):
            if m not in depth:
                depth[m] = depth[n] + 1
                queue.append(m)
    last = max(depth.values(), default=0)
    for n in nodes:
        depth.setdefault(n["epc"], last + 1)
    return depth


def svg(start: str, direction: str, nodes: list[dict], edges: list[dict], labels: dict | None = None,
        relations: dict | None = None) -> str:
    """`labels`: node id → (first line, second line) to show; default the node's kind and id.
    `relations`: an edge's relation → the words on its arrow (the page's language)."""
    labels = labels or {}
    relations = relations or {}
    depth = _depths(start, nodes, edges)
    columns = defaultdict(list)
    for n in nodes:
        columns[depth[n["epc"]]].append(n["epc"])
    n_cols = max(columns, default=0) + 1
    n_rows = max((len(v) for v in columns.values()), default=1)
    width = PAD * 2 + n_cols * BOX_W + (n_cols - 1) * GAP_X
    height = PAD * 2 + n_rows * BOX_H + (n_rows - 1) * GAP_Y
    where = {}
    for col, ids in columns.items():
        x_col = (n_cols - 1 - col) if direction == "back" else col
        for row, node_id in enumerate(sorted(ids)):
            where[node_id] = (PAD + x_col * (BOX_W + GAP_X), PAD + row * (BOX_H + GAP_Y))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" class="trace-graph" font-family="sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for e in edges:
        if e["source"] not in where or e["target"] not in where:
            continue
        (x1, y1), (x2, y2) = where[e["source"]], where[e["target"]]
        if x1 == x2:
            ax, ay, bx, by = x1 + BOX_W / 2, y1 + BOX_H, x2 + BOX_W / 2, y2
        else:
            left_to_right = x1 < x2
            ax, bx = (x1 + BOX_W, x2) if left_to_right else (x1, x2 + BOX_W)
            ay, by = y1 + BOX_H / 2, y2 + BOX_H / 2
        words = relations.get(e.get("relation", ""), e.get("relation", ""))
        out.append(f'<line x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}" stroke="#555" marker-end="url(#arrow)">'
                   f'<title>{escape(words)} — {escape(str(e.get("event_id", "")))}</title></line>')
        out.append(f'<text x="{(ax + bx) / 2:.0f}" y="{(ay + by) / 2 - 4:.0f}" text-anchor="middle" fill="#555" '
                   f'font-size="9">{escape(words)}</text>')
    for n in nodes:
        x, y = where[n["epc"]]
        first, second = labels.get(n["epc"], (n.get("kind", ""), n["epc"]))
        stroke = "#b00" if n["epc"] == start else "#2a5885"
        out.append(f'<g><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#f4f8fc" stroke="{stroke}" '
                   f'stroke-width="{2 if n["epc"] == start else 1}"><title>{escape(n["epc"])}</title></rect>'
                   f'<text x="{x + 8}" y="{y + 18}" font-weight="bold">{escape(_clip(first, 32))}</text>'
                   f'<text x="{x + 8}" y="{y + 35}" fill="#333">{escape(_clip(second, 36))}</text></g>')
    out.append("</svg>")
    return "".join(out)


def _clip(text: str, n: int) -> str:
    text = str(text or "")
    return text if len(text) <= n else text[: n - 1] + "…"
