import { parseDuration } from '../model/duration.js';
import { parseSize } from '../model/size.js';
import { UsageError } from './errors.js';

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
