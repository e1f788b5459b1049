/**
 * Byte sizes as users write them in flags and budget files: `512`, `120MiB`,
 * `1.5GB`. KB/MB/GB are decimal (10^3), KiB/MiB/GiB binary (2^10), as in SI/IEC.
 * Returns null when the text is not a size.
 */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const factor = m[2] === '' ? 1 : SIZE_UNITS[m[2]!.toLowerCase()];
  if (factor === undefined) return null;
  const bytes = Number(m[1]) * factor;
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

/** A size for people, in MiB with one decimal ("12.5 MiB"); `missing` when unknown. */
export function formatMiB(bytes: number | null, missing = 'n/a'): string {
  if (bytes === null) return missing;
  const text = (bytes / 2 ** 20).toFixed(1);
  return `${text === '-0.0' ? '0.0' : text} MiB`; // a tiny negative rounds to zero, not to "-0.0"
}

/** A size in decimal units, as alert thresholds are written (100 kB/s, 100 MB); `suffix` is e.g. '/s'. */
export function formatDecimalBytes(x: number, suffix = ''): string {
  const abs = Math.abs(x);
  if (abs >= 1e9) return `${(x / 1e9).toFixed(2)} GB${suffix}`;
  if (abs >= 1e6) return `${(x / 1e6).toFixed(1)} MB${suffix}`;
  if (abs >= 1e3) return `${(x / 1e3).toFixed(1)} kB${suffix}`;
  return `${x.toFixed(0)} B${suffix}`;
}

/** A range as its two ends formatted, "a–b", or one figure when both ends print the same. */
export function formatRange(low: number, high: number, format: (x: number) => string): string {
  const a = format(low);
  const b = format(high);
  return a === b ? a : `${a}–${b}`;
}
