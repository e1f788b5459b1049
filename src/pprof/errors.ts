/**
 * Why a byte string is not a (valid) pprof profile, and where.
 *
 * `offset` counts bytes of the protobuf message (after gunzip, when the input
 * was compressed); `compressed` says whether it was. Decoding throws nothing
 * else: any other exception escaping the decoder is a bug.
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly compressed = false,
  ) {
    super(`${reason} at byte ${offset}${compressed ? ' of the decompressed data' : ''}`);
  }
}

/** A query asked for something the profile does not have (a sample type, a regex that does not compile). */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}
