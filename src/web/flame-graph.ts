import type { FlameGraph } from '../model/flame.js';
import { el, formatBytes, formatShare, visible } from './format.js';

const ROW = 18;

interface Layout {
  /** Left edge and width as fractions of the root, per node. */
  readonly x: Float64Array;
  readonly w: Float64Array;
  readonly depth: Uint16Array;
  readonly maxDepth: number;
}

/** Pre-order nodes make the layout one pass: a child starts where its previous sibling ended. */
function layout(g: FlameGraph, widths: readonly number[]): Layout {
  const n = g.name.length;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const depth = new Uint16Array(n);
  const next = new Float64Array(n); // where the next child of each node starts
  const total = widths[0]! || 1;
  let maxDepth = 0;
  for (let i = 0; i < n; i++) {
    const p = g.parent[i]!;
    w[i] = Math.max(0, widths[i]!) / total;
    if (p >= 0) {
      x[i] = next[p]!;
      next[p] = x[i]! + w[i]!;
      depth[i] = depth[p]! + 1;
      if (depth[i]! > maxDepth) maxDepth = depth[i]!;
    }
    next[i] = x[i]!;
  }
  return { x, w, depth, maxDepth };
}

function hash(text: string): number {
  let v = 2166136261;
  for (let i = 0; i < text.length; i++) v = Math.imul(v ^ text.charCodeAt(i), 16777619);
  return (v >>> 0) / 4294967296;
}

/**
 * An icicle graph in plain DOM (one absolutely placed div per visible frame,
 * names as text): click zooms to a frame, the top frame or Escape zooms out,
 * the search box highlights frames whose name matches (a regular expression,
 * or plain text when it is not one), and hovering shows bytes and shares.
 * In a diff graph, colour is the change (red grew, blue shrank) and widths
 * follow either side.
 */
export function mountFlameGraph(host: HTMLElement, g: FlameGraph): void {
  const diff = g.base !== null;
  const names = g.name.map((i) => g.names[i]!);
  const toolbar = el('div', 'flame-toolbar');
  const search = el('input', 'flame-search');
  search.type = 'search';
  search.placeholder = 'Search frames (regexp)';
  search.setAttribute('aria-label', 'Search frames');
  const reset = el('button', 'flame-reset', 'Reset zoom');
  reset.type = 'button';
  const status = el('span', 'flame-status');
  toolbar.append(search, reset);
  let widthSide: 'peak' | 'base' = 'peak';
  if (diff) {
    const toggle = el('button', 'flame-side', 'Widths: peak profile');
    toggle.type = 'button';
    toggle.addEventListener('click', () => {
      widthSide = widthSide === 'peak' ? 'base' : 'peak';
      toggle.textContent = `Widths: ${widthSide} profile`;
      current = layout(g, widthSide === 'peak' ? g.value : g.base!);
      draw();
    });
    toolbar.append(toggle);
  }
  toolbar.append(status);
  const graph = el('div', 'flame-graph');
  const tip = el('div', 'flame-tip');
  tip.hidden = true;
  host.append(toolbar, graph, tip);
  if (g.prunedNodes > 0) host.append(el('p', 'hint', `${g.prunedNodes} frames smaller than every frame shown are left out; their bytes remain in their callers.`));

  let current = layout(g, g.value);
  let zoom = 0;
  let matcher: ((name: string) => boolean) | null = null;
  const maxDelta = diff ? Math.max(1, ...g.value.map((v, i) => Math.abs(v - g.base![i]!))) : 1;

  const ancestorsOf = (node: number): Set<number> => {
    const s = new Set<number>();
    for (let p = g.parent[node]!; p >= 0; p = g.parent[p]!) s.add(p);
    return s;
  };

  function colour(i: number): string {
    if (diff) {
      const d = g.value[i]! - g.base![i]!;
      if (d === 0) return 'hsl(0, 0%, 82%)';
      const k = Math.min(1, Math.abs(d) / maxDelta);
      return d > 0 ? `hsl(0, ${40 + 50 * k}%, ${85 - 35 * k}%)` : `hsl(215, ${40 + 50 * k}%, ${85 - 35 * k}%)`;
    }
    const h = hash(names[i]!);
    return `hsl(${20 + Math.round(h * 35)}, ${70 + Math.round(h * 20)}%, ${58 + Math.round(h * 12)}%)`;
  }

  function draw(): void {
    const width = graph.clientWidth || 800;
    const ancestors = ancestorsOf(zoom);
    const zx = current.x[zoom]!;
    const zw = current.w[zoom]! || 1;
    const zd = current.depth[zoom]!;
    const frag = document.createDocumentFragment();
    let matchedBytes = 0;
    let matches = 0;
    let maxRow = 0;
    // Bytes of matching frames, counting a frame under a matching frame once (pprof's rule for -focus totals).
    const matchedUnder = new Uint8Array(g.name.length);
    for (let i = 0; i < g.name.length; i++) {
      const p = g.parent[i]!;
      const hit = matcher !== null && matcher(names[i]!);
      if (hit) {
        matches++;
        if (p < 0 || matchedUnder[p] === 0) matchedBytes += g.value[i]!;
      }
      matchedUnder[i] = hit || (p >= 0 && matchedUnder[p] === 1) ? 1 : 0;
      let left: number;
      let w: number;
      if (ancestors.has(i)) {
        left = 0;
        w = 1;
      } else {
        left = (current.x[i]! - zx) / zw;
        w = current.w[i]! / zw;
        if (current.depth[i]! < zd || left < -1e-9 || left + w > 1 + 1e-9) continue;
      }
      if (w * width < 1) continue;
      const row = current.depth[i]!;
      if (row > maxRow) maxRow = row;
      const frame = el('div', 'frame', names[i]!);
      if (hit) frame.classList.add('match');
      if (i === zoom) frame.classList.add('zoomed');
      frame.dataset.node = String(i);
      frame.style.left = `${(left * 100).toFixed(4)}%`;
      frame.style.width = `${(w * 100).toFixed(4)}%`;
      frame.style.top = `${row * ROW}px`;
      frame.style.background = hit ? '' : colour(i);
      frag.append(frame);
    }
    graph.replaceChildren(frag);
    graph.style.height = `${(maxRow + 1) * ROW}px`;
    host.dataset.zoom = zoom === 0 ? '' : names[zoom]!;
    host.dataset.matches = String(matches);
    const total = g.value[0]!;
    status.textContent =
      matcher === null
        ? zoom === 0
          ? `${formatBytes(total)} in all`
          : `zoomed to ${visible(names[zoom]!)}: ${formatBytes(g.value[zoom]!)} (${formatShare(g.value[zoom]!, total)})`
        : `${matches} frame${matches === 1 ? '' : 's'} match: ${formatBytes(matchedBytes)} (${formatShare(matchedBytes, total)} of all)`;
  }

  function nodeOf(e: Event): number | null {
    const t = e.target as HTMLElement | null;
    const node = t?.dataset?.node;
    return node === undefined ? null : Number(node);
  }

  graph.addEventListener('click', (e) => {
    const node = nodeOf(e);
    if (node === null) return;
    zoom = node === zoom ? Math.max(0, g.parent[node]!) : node;
    draw();
  });
  reset.addEventListener('click', () => {
    zoom = 0;
    draw();
  });
  host.tabIndex = 0;
  host.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      zoom = 0;
      draw();
    }
  });
  search.addEventListener('input', () => {
    const q = search.value;
    if (q === '') matcher = null;
    else {
      let re: RegExp | null = null;
      try {
        re = new RegExp(q, 'i');
      } catch {
        re = null;
      }
      const lower = q.toLowerCase();
      matcher = re ? (name) => re!.test(name) : (name) => name.toLowerCase().includes(lower);
    }
    draw();
  });
  graph.addEventListener('mousemove', (e) => {
    const node = nodeOf(e);
    if (node === null) {
      tip.hidden = true;
      return;
    }
    const lines = [names[node]!, `${formatBytes(g.value[node]!)}: ${formatShare(g.value[node]!, g.value[0]!)} of all, ${formatShare(g.value[node]!, g.value[zoom]!)} of the zoomed frame`];
    if (diff) {
      const d = g.value[node]! - g.base![node]!;
      lines.push(`base ${formatBytes(g.base![node]!)} → peak ${formatBytes(g.value[node]!)} (${d >= 0 ? '+' : ''}${formatBytes(d)})`);
    }
    tip.replaceChildren(...lines.map((l, i) => el('div', i === 0 ? 'tip-name' : null, l)));
    tip.hidden = false;
    const box = host.getBoundingClientRect();
    tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 320)}px`;
    tip.style.top = `${e.clientY - box.top + 16}px`;
  });
  graph.addEventListener('mouseleave', () => {
    tip.hidden = true;
  });
  new ResizeObserver(() => draw()).observe(graph);
  draw();
}
