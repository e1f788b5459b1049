/**
 * heaplens as a library: decode pprof profiles and query them exactly like
 * `go tool pprof`. Everything exported here is pure (no I/O) except the
 * file reader in adapters.
 */
export type { Profile, ValueType, Mapping, Samples, Locations, Functions } from './model/profile.js';
export { locationAddress } from './model/profile.js';
export { parseSize } from './model/size.js';
export { decodeProfile, createProfileDecoder, type DecodeOptions, type ProfileDecoder } from './pprof/decode.js';
export { decodeProfileBytes, isGzip, type Inflate } from './pprof/bytes.js';
export { DecodeError, QueryError } from './pprof/errors.js';
export { resolveSampleType, sampleTotals, listSampleTypes } from './pprof/sample-type.js';
export { topOf, diffTop, compareBytewise, type TopOptions, type TopResult, type TopRow } from './pprof/top.js';
export { compileFrameRegex, type FrameFilter } from './pprof/filter.js';
export type { Granularity } from './pprof/frames.js';
export { renderTopText, profileHeader } from './render/top-text.js';
export { readProfileFile, ProfileFileError, DEFAULT_MAX_PROFILE_BYTES } from './adapters/profile-file.js';
