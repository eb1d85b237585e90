// Where the event source mapping calls keep their EventSourceMapping objects (manifests locally, objects on a cluster),
// and how a mapping's UUID and its object's name derive from each other (pure).
import { uuidOf } from '../../core/ids.js';
import type { EventSourceMappingSpec } from '../../api/event-source-mapping.js';
import { notFound } from '../../core/errors.js';

/** A mapping as kept: its UUID, its object's name, its spec as parsed (defaults in), when the API last changed it. */
export interface StoredMapping {
  uuid: string;
  name: string;
  spec: EventSourceMappingSpec;
  lastModified: Date;
}

/** The spec fields an update sets; a field set to undefined is removed (its default applies again). */
export type SpecPatch = Record<string, unknown>;

/**
 * The EventSourceMapping objects of one namespace, in either mode. Every write validates the object as a manifest
 * would be (InvalidParameterValueException otherwise) and stamps LAST_MODIFIED_ANNOTATION.
 */
export interface EventSourceMappingBackend {
  /** Every valid mapping of the namespace, by UUID. */
  list(): Promise<StoredMapping[]>;
  get(uuid: string): Promise<StoredMapping | undefined>;
  /**
   * Writes a new mapping named mappingObjectName(uuid) with `spec` (only what was given: defaults stay implicit).
   * `check` sees the other mappings first and may throw to refuse (a second mapping of a function and a source).
   */
  create(uuid: string, spec: Record<string, unknown>, check: (others: StoredMapping[]) => void): Promise<StoredMapping>;
  /** Applies the patch `change` makes of the mapping as it is now (it sees the others too, and may throw). 404 when gone. */
  update(uuid: string, change: (current: StoredMapping, others: StoredMapping[]) => SpecPatch): Promise<StoredMapping>;
  /** Removes the mapping and answers it as it was; 404 when there is none. */
  delete(uuid: string): Promise<StoredMapping>;
}

/** When the API last changed a mapping (ISO time); without it, when the object was made. */
export const LAST_MODIFIED_ANNOTATION = 'klambda.dev/last-modified';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NAME_PREFIX = 'esm-';

/** AWS's answer for a UUID it does not have (GetEventSourceMapping, Update…, Delete…). */
export const mappingNotFound = () => notFound('The resource you requested does not exist.');

/** The object (and, locally, manifest) name of the mapping the API creates with this UUID: `esm-<uuid>`. */
export const mappingObjectName = (uuid: string): string => `${NAME_PREFIX}${uuid.toLowerCase()}`;

/**
 * A mapping's UUID, the same in both modes and across restarts: the one in its name (`esm-<uuid>`, as the API names
 * them), or else one derived from its namespace and name (a mapping a user wrote and named), shaped as a UUID.
 */
export function mappingUuid(namespace: string, name: string): string {
  const inName = name.startsWith(NAME_PREFIX) ? name.slice(NAME_PREFIX.length) : '';
  if (UUID.test(inName)) return inName;
  return uuidOf(`EventSourceMapping/${namespace}/${name}`);
}

/** A UUID as a caller may spell it (any case); undefined when it cannot be one, which no mapping has. */
export function normalUuid(text: string): string | undefined {
  const u = text.toLowerCase();
  return UUID.test(u) ? u : undefined;
}

/** When a mapping last changed: the annotation the API writes, else `fallback` (the object's creation). */
export function lastModifiedOf(annotations: Record<string, string> | undefined, fallback: Date): Date {
  const at = annotations?.[LAST_MODIFIED_ANNOTATION];
  const ms = at === undefined ? NaN : Date.parse(at);
  return Number.isNaN(ms) ? fallback : new Date(ms);
}
