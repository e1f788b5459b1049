/**
 * Profile strings (function, file, label names) are untrusted input. For a
 * terminal, control characters (C0, DEL, C1 — which start escape sequences)
 * and bidirectional overrides (which reorder what the reader sees) are shown
 * as visible escapes instead of being emitted; `go tool pprof` prints them raw.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE_TERMINAL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Untrusted text in a Markdown table cell: pipes would end the cell, newlines
 * the row, HTML tags would render (GitHub renders some), and backslashes,
 * backticks and emphasis characters would change what is shown.
 */
export function escapeMarkdownCell(text: string): string {
  return escapeTerminal(text).replace(/[\\`*_[\]|<>#]/g, (c) => `\\${c}`);
}
