import { escapeTerminal } from '../render/escape.js';

/** Sizes and rates for people: binary units, as the report's tables show them. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? '−' : '';
  if (abs >= 2 ** 30) return `${sign}${(abs / 2 ** 30).toFixed(2)} GiB`;
  if (abs >= 2 ** 20) return `${sign}${(abs / 2 ** 20).toFixed(1)} MiB`;
  if (abs >= 2 ** 10) return `${sign}${(abs / 2 ** 10).toFixed(1)} KiB`;
  return `${sign}${abs.toFixed(0)} B`;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

export function formatShare(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((part / whole) * 100).toFixed(part / whole < 0.001 ? 3 : 1)}%`;
}

/**
 * Profile strings are untrusted: they are only ever set as text (textContent),
 * with control and bidi-override characters shown as escapes so that a name
 * cannot reorder or hide what is displayed (the server side's rule).
 */
export const visible = escapeTerminal;

/** An element with text; never HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string | null, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = visible(text);
  return e;
}
