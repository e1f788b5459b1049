import { escapeTerminal } from './escape.js';

/**
 * A tiny HTML builder that is safe by construction: text is always escaped,
 * and only markup made by these functions (a Markup value) is inserted as
 * is. Profile strings are untrusted; they can only ever be text.
 */
export interface Markup {
  readonly html: string;
}

export type Child = Markup | string | number | null | undefined | false | readonly Child[];

/** Untrusted text for an HTML text node or a quoted attribute value. Control and bidi characters are shown as escapes, as in the terminal. */
export function escapeHtml(text: string): string {
  return escapeTerminal(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markup the caller vouches for (a constant, or output of this builder). */
export function trusted(html: string): Markup {
  return { html };
}

function render(child: Child): string {
  if (child === null || child === undefined || child === false) return '';
  if (typeof child === 'string') return escapeHtml(child);
  if (typeof child === 'number') return escapeHtml(String(child));
  if (Array.isArray(child)) return (child as readonly Child[]).map(render).join('');
  return (child as Markup).html;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** `<tag attrs>children</tag>`; attribute values are escaped, attribute and tag names must be plain. */
export function h(tag: string, attrs: Readonly<Record<string, string | number | boolean | null | undefined>> | null, ...children: Child[]): Markup {
  if (!NAME.test(tag)) throw new Error(`bad tag name ${tag}`);
  let open = `<${tag}`;
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (!NAME.test(k)) throw new Error(`bad attribute name ${k}`);
    // No event handlers, and no URL but an anchor in the page: nothing here can run or load anything.
    if (k.startsWith('on') || k === 'src' || k === 'action' || k === 'formaction') throw new Error(`attribute ${k} is not allowed`);
    if (k === 'href' && !/^#[a-z0-9-]*$/.test(String(v))) throw new Error(`href must be an anchor in the page, not ${String(v)}`);
    if (v === null || v === undefined || v === false) continue;
    open += v === true ? ` ${k}` : ` ${k}="${escapeHtml(String(v))}"`;
  }
  return trusted(`${open}>${render(children)}</${tag}>`);
}

export function fragment(...children: Child[]): Markup {
  return trusted(render(children));
}

/** Lines of untrusted text, kept as lines (for a <pre>): each line escaped, newlines between them. */
export function lines(texts: readonly string[]): Markup {
  return trusted(texts.map(escapeHtml).join('\n'));
}

/** Text where `backticked` spans are code, as catalog texts are written (Markdown's inline code, nothing else). */
export function withInlineCode(text: string): Markup {
  return fragment(text.split('`').map((part, i) => (i % 2 === 1 ? h('code', null, part) : part)));
}

/** A table: header cells, then rows of cells. */
export function table(head: readonly string[], rows: readonly (readonly Child[])[], attrs: Readonly<Record<string, string>> = {}): Markup {
  return h(
    'table',
    attrs,
    h('thead', null, h('tr', null, head.map((x) => h('th', null, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))),
  );
}

/**
 * JSON inside a `<script type="application/json">`: `<` escaped, so no string
 * can close the element or open a comment; DEL, C1, bidi controls and line
 * separators escaped too, so the file's source shows no invisible reordering.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
