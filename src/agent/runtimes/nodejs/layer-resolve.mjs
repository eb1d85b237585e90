// Module hooks (node:module register) that let an ES module import a package from the function's layers, as Lambda's
// nodejs runtimes do: a bare specifier the usual resolution does not find is looked up in each NODE_PATH folder
// (/opt/nodejs/node20/node_modules, /opt/nodejs/node_modules), which only require() reads on its own.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

let folders = [];

export function initialize(data) {
  folders = Array.isArray(data?.folders) ? data.folders : [];
}

/** `lodash`, `@aws-sdk/client-s3/x`: not relative, not absolute, not a URL (file:, node:, data:). */
const isBare = (specifier) => !/^(\.{0,2}\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw err;
    for (const folder of folders) {
      // resolved as if imported by a module inside that node_modules folder: Node looks in the folder itself
      const parentURL = pathToFileURL(path.join(folder, 'index.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // not in this folder
      }
    }
    throw err;
  }
}
