/**
 * The compact, read-only form of one pprof profile (profile.proto), laid out
 * as struct-of-arrays so that hundreds of snapshots fit in memory and can be
 * aggregated in tight loops.
 *
 * Conventions:
 * - Every `*Str` field is an index into `strings` (the profile's own string
 *   table, decoded once, so equal names share one JS string).
 * - Rows of a table are addressed by their 0-based position; the proto's ids
 *   are kept alongside (`locationId`, `functionId`) but references between
 *   tables are already resolved to positions (-1 where the proto had id 0).
 * - int64 quantities (sample values, numeric labels, line numbers) are stored
 *   as doubles. The decoder refuses any value outside ±2^53 with a
 *   DecodeError instead of silently rounding it; timestamps and addresses,
 *   which legitimately exceed 2^53, are kept exact (bigint, or 32-bit halves).
 */
export interface Profile {
  readonly schemaVersion: 1;
  readonly strings: readonly string[];
  readonly sampleTypes: readonly ValueType[];
  /** Name of the default sample type, '' when the profile does not set one. */
  readonly defaultSampleType: string;
  readonly periodType: ValueType | null;
  readonly period: number;
  readonly timeNanos: bigint;
  readonly durationNanos: bigint;
  readonly comments: readonly string[];
  readonly dropFrames: string;
  readonly keepFrames: string;
  readonly mappings: readonly Mapping[];
  readonly samples: Samples;
  readonly locations: Locations;
  readonly functions: Functions;
}

export interface ValueType {
  readonly type: string;
  readonly unit: string;
}

export interface Mapping {
  readonly id: number;
  readonly memoryStart: bigint;
  readonly memoryLimit: bigint;
  readonly fileOffset: bigint;
  readonly filename: string;
  readonly buildId: string;
  readonly hasFunctions: boolean;
  readonly hasFilenames: boolean;
  readonly hasLineNumbers: boolean;
  readonly hasInlineFrames: boolean;
}

/**
 * Location positions of sample stacks: 16-bit while every position fits
 * (profiles of up to 65,535 locations, which is nearly all), else 32-bit.
 * Half the bytes to write while decoding and to read in every pass.
 */
export type LocationIds = Uint16Array | Uint32Array;

export interface Samples {
  readonly count: number;
  /** count × sampleTypes.length values, row-major: sample i's value j at i*n+j. */
  readonly values: Float64Array;
  /** Sample i's stack is stackLocations[stackOffsets[i] .. stackOffsets[i+1]), leaf first. */
  readonly stackOffsets: Uint32Array;
  readonly stackLocations: LocationIds;
  /** Sample i's labels are label*[labelOffsets[i] .. labelOffsets[i+1]). */
  readonly labelOffsets: Uint32Array;
  readonly labelKeyStr: Uint32Array;
  /** String value index, 0 ('') for numeric labels. */
  readonly labelValueStr: Uint32Array;
  readonly labelNum: Float64Array;
  readonly labelNumUnitStr: Uint32Array;
}

export interface Locations {
  readonly count: number;
  readonly id: Float64Array;
  /** Mapping position, -1 when the location has none. */
  readonly mapping: Int32Array;
  /** The 64-bit address split in halves (addresses exceed 2^53). */
  readonly addressLo: Uint32Array;
  readonly addressHi: Uint32Array;
  readonly isFolded: Uint8Array;
  /** Location i's lines are line*[lineOffsets[i] .. lineOffsets[i+1]); the first is the innermost (inlined) frame, the last the caller it was inlined into. */
  readonly lineOffsets: Uint32Array;
  /** Function position, -1 when the line names no function. */
  readonly lineFunction: Int32Array;
  readonly lineNumber: Float64Array;
  readonly lineColumn: Float64Array;
}

export interface Functions {
  readonly count: number;
  readonly id: Float64Array;
  readonly nameStr: Uint32Array;
  readonly systemNameStr: Uint32Array;
  readonly filenameStr: Uint32Array;
  readonly startLine: Float64Array;
}

/** The 64-bit address of location `i` as an exact bigint. */
export function locationAddress(locations: Locations, i: number): bigint {
  return (BigInt(locations.addressHi[i] ?? 0) << 32n) | BigInt(locations.addressLo[i] ?? 0);
}
