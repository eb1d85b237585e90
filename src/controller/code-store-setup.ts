// The controller's start on a code store: its bucket made if missing, and (given the reader's principal) the bucket
// policy that lets the read-only key read packages. Retried until it works: the store may start after the controller.
import type { CodeStore } from '../code/code-store.js';
import type { Logger } from '../core/logger.js';

export interface StoreSetup { stop(): void; done: Promise<void> }

export function prepareCodeStore(store: CodeStore, readerPrincipal: string | undefined, logger: Logger, retryMs = 5000): StoreSetup {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    const attempt = async () => {
      if (stopped) return resolve();
      try {
        await store.ensureBucket();
        if (readerPrincipal) await store.allowReader(readerPrincipal);
        logger.info({ msg: 'code store ready', bucket: store.bucket, readerPolicy: readerPrincipal !== undefined });
        resolve();
      } catch (err) {
        logger.warn({ msg: 'code store not ready; trying again', bucket: store.bucket, error: err instanceof Error ? err.message : String(err), retryMs });
        timer = setTimeout(() => void attempt(), retryMs);
      }
    };
    void attempt();
  });
  return { done, stop: () => { stopped = true; if (timer) clearTimeout(timer); } };
}
