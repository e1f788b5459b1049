import { ProfileFileError } from '../adapters/profile-file.js';
import { QueryError } from '../pprof/errors.js';
import { EXIT_INPUT, EXIT_USAGE, UsageError, internalError } from './exit-codes.js';

/**
 * Exit code and one-line message of the errors a command on profiles alone
 * (top, diff) can end with, and of any error nothing expected (exit 4).
 * errors.ts' describeError adds the other commands' errors in front of it;
 * this one stands apart so that top and diff need not load those modules.
 */
export function describeProfileError(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: EXIT_USAGE, message: err.message };
  if (err instanceof ProfileFileError || err instanceof QueryError) return { code: EXIT_INPUT, message: err.message };
  return internalError(err);
}
