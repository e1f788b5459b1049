/** Exit codes (DESIGN.md): 0 ok, 1 gate or check failed, 2 usage, 3 input or target, 4 internal. */
export const EXIT_OK = 0;
export const EXIT_GATE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;
export const EXIT_INTERNAL = 4;

/** A flag or argument is wrong; the message says which and why. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** What an error no command expected becomes: exit 4 and a message that asks for a report. */
export function internalError(err: unknown): { code: number; message: string } {
  const e = err as Error;
  return { code: EXIT_INTERNAL, message: `internal error: ${e?.message ?? String(err)} (a bug: please report it; HEAPLENS_DEBUG=1 prints the stack)` };
}
