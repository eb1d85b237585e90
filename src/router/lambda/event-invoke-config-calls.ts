// The event invoke config calls over where a catalog keeps `spec.async`: Put replaces, Update and Delete need a config
// there, Get answers it or 404. Both catalogs (manifests, CRD objects) supply only the reading and the writing.
import type { ArnContext } from '../../core/arn.js';
import {
  classifyQualifier, deleteAsync, hasEventInvokeConfig, noEventInvokeConfig, putAsync, updateAsync,
  type EventInvokeConfigInput, type EventInvokeQualifier, type WrittenAsync,
} from '../../core/event-invoke-config.js';
import type { FunctionEventInvokeConfig } from './catalog.js';

/** How a catalog reads and changes the `spec.async` a qualifier names. */
export interface AsyncConfigStore {
  arn: ArnContext;
  read(name: string, q: EventInvokeQualifier): Promise<FunctionEventInvokeConfig | undefined>;
  write(name: string, qualifier: string | undefined,
    change: (written: WrittenAsync | undefined, q: EventInvokeQualifier) => WrittenAsync | undefined): Promise<FunctionEventInvokeConfig>;
}

export function putEventInvokeConfig(store: AsyncConfigStore, name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
  return store.write(name, qualifier, (written) => putAsync(written, input));
}

export function updateEventInvokeConfig(store: AsyncConfigStore, name: string, qualifier: string | undefined, input: EventInvokeConfigInput): Promise<FunctionEventInvokeConfig> {
  return store.write(name, qualifier, (written, q) => {
    if (!hasEventInvokeConfig(written)) throw noEventInvokeConfig(store.arn, name, q);
    return updateAsync(written, input);
  });
}

export async function getEventInvokeConfig(store: AsyncConfigStore, name: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig> {
  const q = classifyQualifier(qualifier);
  const found = await store.read(name, q);
  if (!found) throw noEventInvokeConfig(store.arn, name, q);
  return found;
}

export async function deleteEventInvokeConfig(store: AsyncConfigStore, name: string, qualifier: string | undefined): Promise<void> {
  await store.write(name, qualifier, (written, q) => {
    if (!hasEventInvokeConfig(written)) throw noEventInvokeConfig(store.arn, name, q);
    return deleteAsync(written);
  });
}
