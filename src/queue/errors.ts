// The one mapping from the Lua scripts' negative return codes (and bad queue names) to typed queue errors.

/** Codes the scripts in ./commands return; keep in step with their `Output:` comments. */
export const ScriptCode = {
  /** The job is no longer held under this lease: it was reclaimed (and maybe redelivered) or purged. */
  LeaseLost: -1,
} as const;

export class QueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** ack/release of a lease that is no longer ours; the job will be (or already was) delivered again. */
export class LeaseLostError extends QueueError {
  constructor(readonly queue: string, readonly requestId: string, readonly attempt: number) {
    super(`lease of ${requestId} (attempt ${attempt}) on ${queue} was lost: the job was reclaimed or purged`);
  }
}

/** A queue name or key prefix that would break the shared hash tag. */
export class InvalidQueueNameError extends QueueError {}

/** A script answered with a code this module does not know: the scripts and this module disagree. */
export class UnknownScriptCodeError extends QueueError {}

export interface ScriptContext {
  queue: string;
  requestId: string;
  attempt: number;
}

export function scriptError(code: number, ctx: ScriptContext): QueueError {
  switch (code) {
    case ScriptCode.LeaseLost:
      return new LeaseLostError(ctx.queue, ctx.requestId, ctx.attempt);
    default:
      return new UnknownScriptCodeError(`unknown script code ${code} for ${ctx.requestId} on ${ctx.queue}`);
  }
}

/** Returns a non-negative script result; throws the typed error of a negative one. */
export function checkCode(result: unknown, ctx: ScriptContext): number {
  if (typeof result !== 'number') throw new UnknownScriptCodeError(`unexpected script reply ${JSON.stringify(result)} on ${ctx.queue}`);
  if (result < 0) throw scriptError(result, ctx);
  return result;
}
