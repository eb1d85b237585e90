// Lambda's limits on a code package, and the errors (AWS's messages) when one is broken.
import { InvalidParameterError, KlambdaError } from '../core/errors.js';

/** A zip sent in the request (CreateFunction/UpdateFunctionCode ZipFile, PublishLayerVersion ZipFile). */
export const MAX_ZIPPED_REQUEST_BYTES = 50 * 1024 * 1024;
/** A request that carries such a zip as base64 (AWS's own bound for CreateFunction and UpdateFunctionCode). */
export const MAX_CODE_REQUEST_BYTES = 70_167_211;
/** A function's code and its layers, unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** Entries in one package: far above any real one, low enough that a package of empty entries cannot flood a disk's inodes. */
export const MAX_ENTRIES = 100_000;
/** Deflate cannot do better than about 1032:1; above that an entry is not what its header says. */
export const MAX_ENTRY_RATIO = 1100;

export interface UnpackLimits {
  /** Bytes written in all (default MAX_UNZIPPED_BYTES). */
  maxBytes?: number;
  maxEntries?: number;
}

/** AWS's answer for a zip that cannot be read or is hostile; `detail` says which entry and why. */
export function badZip(detail: string): InvalidParameterError {
  return new InvalidParameterError(`Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`);
}

export function unzippedTooLarge(limit: number): InvalidParameterError {
  return new InvalidParameterError(`Unzipped size must be smaller than ${limit} bytes`);
}

/** 413: the request's zip is over 50 MB (AWS's RequestEntityTooLargeException). */
export class RequestEntityTooLargeError extends KlambdaError {
  constructor(message = `Request must be smaller than ${MAX_ZIPPED_REQUEST_BYTES} bytes for the ZipFile`) {
    super(413, 'RequestEntityTooLargeException', message);
  }
}
