import { formatFixed, formatGeneral } from './go-format.js';

/**
 * Value scaling and labels as `go tool pprof` prints them (its measurement
 * package): byte sizes in powers of 1024 labelled kB/MB/GB, durations in
 * ns/us/ms/s/hrs, two decimals with ".00" dropped.
 */
interface UnitDef {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly factor: number;
}

interface UnitFamily {
  readonly units: readonly UnitDef[];
  readonly fallback: UnitDef;
}

const BYTES: UnitFamily = {
  units: [
    { name: 'B', aliases: ['b', 'byte'], factor: 1 },
    { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
    { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
    { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
    { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
    { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
  ],
  fallback: { name: 'B', aliases: [], factor: 1 },
};

const TIME: UnitFamily = {
  units: [
    { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
    { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
    { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
    { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
    { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
  ],
  fallback: { name: 's', aliases: [], factor: 1e9 },
};

const GCU: UnitFamily = {
  units: [
    { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
    { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
    { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
    { name: 'GCU', aliases: ['gcu'], factor: 1 },
    { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
    { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
    { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
    { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
    { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
  ],
  fallback: { name: 'GCU', aliases: [], factor: 1 },
};

const FAMILIES = [BYTES, TIME, GCU];

function findUnit(family: UnitFamily, unit: string): UnitDef | undefined {
  let u = unit.toLowerCase();
  if (u.length > 2) u = u.replace(/s$/, '');
  return family.units.find((d) => d.aliases.includes(u));
}

/** Converts `value` in `fromUnit` to `toUnit` ("minimum"/"auto": the largest unit keeping it ≥ 1). */
export function scaleValue(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scaleValue(-value, fromUnit, toUnit);
    return [-v, u];
  }
  for (const family of FAMILIES) {
    const from = findUnit(family, fromUnit);
    if (!from) continue;
    const v = value * from.factor;
    if (toUnit === 'minimum' || toUnit === 'auto') {
      let best: UnitDef | undefined;
      for (const u of family.units) if ((best === undefined || u.factor >= best.factor) && v / u.factor >= 1) best = u;
      const chosen = best ?? family.fallback;
      return [v / chosen.factor, chosen.name];
    }
    const to = findUnit(family, toUnit) ?? family.fallback;
    return [v / to.factor, to.name];
  }
  return ['count', 'sample', 'unit', 'minimum', 'auto'].includes(toUnit) ? [value, ''] : [value, toUnit];
}

/** A value with its unit label, e.g. `10.50MB`, `512kB`, `0`. */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scaleValue(value, fromUnit, toUnit);
  const s = formatFixed(v, 2).replace(/\.00$/, '');
  if (s === '0' || s === '-0') return '0';
  return s + u;
}

/** A share as pprof prints it: `45.12%`, ` 0.45%`, `  100%`, width 6. */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0;
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%';
  if (ratio >= 1) return formatFixed(ratio, 2).padStart(5) + '%';
  return formatGeneral(ratio, 2).padStart(5) + '%';
}

/**
 * The unit a table is printed in: the one that suits its smallest non-zero
 * row, moved up when that is 100× smaller than the total (pprof's
 * selectOutputUnit), so a table of megabytes does not print bytes.
 */
export function selectOutputUnit(rows: readonly { flat: number; cum: number }[], total: number, sampleUnit: string): string {
  if (rows.length === 0) return 'minimum';
  let minValue = 0;
  for (const r of rows) {
    let v = Math.abs(r.flat);
    if (v === 0) v = Math.abs(r.cum);
    if (v > 0 && (minValue === 0 || v < minValue)) minValue = v;
  }
  const maxValue = total;
  if (minValue === 0) minValue = maxValue;
  const minUnit = scaleValue(minValue, sampleUnit, 'minimum')[1];
  const maxUnit = scaleValue(maxValue, sampleUnit, 'minimum')[1];
  let unit = minUnit;
  if (minUnit !== maxUnit && minValue * 100 < maxValue) unit = scaleValue(100 * minValue, sampleUnit, 'minimum')[1];
  return unit !== '' ? unit : sampleUnit;
}
