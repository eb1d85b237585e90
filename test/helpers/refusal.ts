// Test helper: what a call is refused with — a KlambdaError thrown by a pure check, or the error an SDK client rejects with.
import type { KlambdaError } from '../../src/core/errors.js';

/** The KlambdaError `f` throws, or undefined if it returns. */
export function refused(f: () => unknown): KlambdaError | undefined {
  try {
    f();
  } catch (e) {
    return e as KlambdaError;
  }
  return undefined;
}

/** The error `p` rejects with, which must be a `type` (an SDK's service exception); an error if `p` resolves. */
export async function rejection<E extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error('expected the call to be refused');
}
