import { parseDuration } from '../model/duration.js';
import { parseSize } from '../model/size.js';
import { UsageError } from './exit-codes.js';

/** Flag value parsers for commander: each throws UsageError naming the flag. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: expected a non-negative integer, got "${value}"`);
    return Number(value);
  };
}

export function fraction(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
      throw new UsageError(`${flag}: expected a fraction between 0 and 1, got "${value}"`);
    }
    return n;
  };
}

export function byteSize(flag: string) {
  return (value: string): number => {
    const n = parseSize(value);
    if (n === null || n <= 0) throw new UsageError(`${flag}: expected a size such as 512MiB or 1GB, got "${value}"`);
    return n;
  };
}

export function duration(flag: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === null || ms <= 0) throw new UsageError(`${flag}: expected a duration such as 500ms, 10s or 5m, got "${value}"`);
    return ms;
  };
}

/** A number, or a percentage ("25%" is 0.25), within [min, max]. */
export function fractionOrPercent(flag: string, min: number, max = Infinity) {
  return (value: string): number => {
    const percent = value.trim().endsWith('%');
    const n = Number(percent ? value.trim().slice(0, -1) : value) / (percent ? 100 : 1);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`${flag}: expected ${max === Infinity ? `a fraction or a percentage such as 0.1 or 10%` : `a number from ${min} to ${max}`}, got "${value}"`);
    }
    return n;
  };
}

/** A repeatable flag's parser: every occurrence, in order. */
export const collectList = (value: string, previous: string[]): string[] => [...previous, value];
