// Test layers in Lambda's layout: a Node package, a Python module and an executable, each saying which version it is.
import { makeZip } from './zips.js';

export const layerZip = (tag: string): Promise<Buffer> => makeZip([
  { name: 'nodejs/node_modules/greet/package.json', data: '{"name":"greet","main":"index.js"}' },
  { name: 'nodejs/node_modules/greet/index.js', data: `module.exports = (name) => 'hello ' + name + ' from layer ${tag}';\n` },
  { name: 'python/greet.py', data: `def greet(name):\n    return "hello " + name + " from layer ${tag}"\n` },
  { name: 'bin/layer-tool', data: `#!/bin/sh\necho tool-${tag}\n`, mode: 0o100755 },
]);
