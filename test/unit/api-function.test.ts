// The Function kind: every range, enum and default of its spec, exactly-one-of rules, environment rules, names.
import { checkObject } from '../../src/api/parse.js';
import type { KlambdaFunction } from '../../src/api/function.js';
import { RUNTIMES } from '../../src/core/runtimes.js';

const base = () => ({
  apiVersion: 'klambda.dev/v1alpha1',
  kind: 'Function',
  metadata: { name: 'hello' },
  spec: { runtime: 'nodejs20', handler: 'index.handler', code: { inline: { 'index.mjs': 'export const handler = async () => 1;' } } } as Record<string, unknown>,
});

const withSpec = (extra: Record<string, unknown>) => {
  const o = base();
  o.spec = { ...o.spec, ...extra };
  return o;
};

/** The problems of a spec, as "path: message" lines. */
function problems(value: unknown): string[] {
  const r = checkObject(value);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

function parsed(value: unknown): KlambdaFunction {
  const r = checkObject(value);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.object as KlambdaFunction;
}

describe('Function defaults', () => {
  it('fills every default of a minimal spec', () => {
    const f = parsed(base());
    expect(f.metadata.namespace).toBe('default');
    expect(f.spec).toMatchObject({
      memoryMB: 128, timeoutSeconds: 3, ephemeralStorageMB: 512, networking: 'public', publish: false,
      async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 },
    });
    expect(f.spec.reservedConcurrency).toBeUndefined();
  });

  it('does not change the object it was given', () => {
    const input = base();
    parsed(input);
    expect(input.spec).not.toHaveProperty('memoryMB');
  });

  it('defaults the handler of a provided runtime to bootstrap, and keeps any string given', () => {
    const code = { inline: { bootstrap: '#!/bin/sh\n' } };
    expect(parsed(withSpec({ runtime: 'provided', handler: undefined, code })).spec.handler).toBe('bootstrap');
    expect(parsed(withSpec({ runtime: 'provided', handler: 'function.handler', code })).spec.handler).toBe('function.handler');
  });
});

describe('Function ranges and enums', () => {
  const cases: Array<[string, unknown, string | undefined]> = [
    ['memoryMB', 128, undefined],
    ['memoryMB', 10240, undefined],
    ['memoryMB', 64, 'spec.memoryMB: must be >= 128, got 64'],
    ['memoryMB', 10241, 'spec.memoryMB: must be <= 10240, got 10241'],
    ['memoryMB', 256.5, 'spec.memoryMB: must be a whole number, got 256.5'],
    ['memoryMB', '256', 'spec.memoryMB: must be an integer, got "256"'],
    ['timeoutSeconds', 1, undefined],
    ['timeoutSeconds', 900, undefined],
    ['timeoutSeconds', 0, 'spec.timeoutSeconds: must be >= 1, got 0'],
    ['timeoutSeconds', 901, 'spec.timeoutSeconds: must be <= 900, got 901'],
    ['ephemeralStorageMB', 512, undefined],
    ['ephemeralStorageMB', 10240, undefined],
    ['ephemeralStorageMB', 511, 'spec.ephemeralStorageMB: must be >= 512, got 511'],
    ['ephemeralStorageMB', 10241, 'spec.ephemeralStorageMB: must be <= 10240, got 10241'],
    ['reservedConcurrency', 0, undefined],
    ['reservedConcurrency', -1, 'spec.reservedConcurrency: must be >= 0, got -1'],
    ['runtime', 'python3.11', undefined],
    ['runtime', 'nodejs18', `spec.runtime: must be one of ${RUNTIMES.join(', ')}, got "nodejs18"`],
    ['networking', 'private', undefined],
    ['networking', 'vpc', 'spec.networking: must be one of public, private, got "vpc"'],
    ['publish', true, undefined],
    ['publish', 'yes', 'spec.publish: must be true or false, got "yes"'],
    ['description', 'x'.repeat(256), undefined],
    ['description', 'x'.repeat(257), 'spec.description: must be at most 256 characters, got 257'],
    ['serviceAccountName', 'runner', undefined],
  ];
  it.each(cases)('%s = %p → %s', (field, value, expected) => {
    const p = problems(withSpec({ [field]: value }));
    if (expected === undefined) expect(p).toEqual([]);
    else expect(p).toEqual([expected]);
  });

  it('refuses a serviceAccountName that is not a DNS subdomain', () => {
    expect(problems(withSpec({ serviceAccountName: 'Runner!' }))[0]).toMatch(/^spec.serviceAccountName: must be a DNS-1123 subdomain/);
  });

  const asyncCases: Array<[string, number, string | undefined]> = [
    ['maximumRetryAttempts', 0, undefined],
    ['maximumRetryAttempts', 2, undefined],
    ['maximumRetryAttempts', 3, 'spec.async.maximumRetryAttempts: must be <= 2, got 3'],
    ['maximumRetryAttempts', -1, 'spec.async.maximumRetryAttempts: must be >= 0, got -1'],
    ['maximumEventAgeSeconds', 60, undefined],
    ['maximumEventAgeSeconds', 21600, undefined],
    ['maximumEventAgeSeconds', 59, 'spec.async.maximumEventAgeSeconds: must be >= 60, got 59'],
    ['maximumEventAgeSeconds', 21601, 'spec.async.maximumEventAgeSeconds: must be <= 21600, got 21601'],
  ];
  it.each(asyncCases)('async.%s = %p → %s', (field, value, expected) => {
    const p = problems(withSpec({ async: { [field]: value } }));
    expect(p).toEqual(expected === undefined ? [] : [expected]);
  });

  it('keeps the async defaults next to a value that is set', () => {
    expect(parsed(withSpec({ async: { maximumRetryAttempts: 0 } })).spec.async).toEqual({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 21600 });
  });
});

describe('Function handler', () => {
  it('requires a handler for nodejs20 and python3.11', () => {
    expect(problems(withSpec({ handler: undefined }))).toEqual(['spec.handler: is required for runtime nodejs20 (e.g. index.handler)']);
    expect(problems(withSpec({ runtime: 'python3.11', handler: undefined }))).toEqual(['spec.handler: is required for runtime python3.11 (e.g. app.handler)']);
  });

  it('wants file.export for node and module.function for python', () => {
    expect(problems(withSpec({ handler: 'index' }))).toEqual(['spec.handler: must be file.export (e.g. index.handler), got "index"']);
    expect(problems(withSpec({ runtime: 'python3.11', handler: 'pkg.mod.fn' }))).toEqual([]);
    expect(problems(withSpec({ handler: 'has space.x' }))[0]).toMatch(/^spec.handler: must match/);
  });

  it.each([
    ['nodejs20', '../../x.handler'],
    ['nodejs20', 'lib/../../x.handler'],
    ['nodejs20', '/etc/x.handler'],
    ['python3.11', '../app.handler'],
    ['python3.11', '/tmp/app.handler'],
    ['nodejs20', 'lib\\..\\x.handler'],
  ])('refuses a %s handler naming a file outside the code: %s', (runtime, handler) => {
    expect(problems(withSpec({ runtime, handler }))).toEqual([
      `spec.handler: must name a file inside the function's code: no absolute path, no "..", no "\\" (got "${handler}")`,
    ]);
  });

  it('accepts handlers in subfolders of the code', () => {
    expect(problems(withSpec({ handler: 'lib/nested.handler' }))).toEqual([]);
    expect(problems(withSpec({ runtime: 'python3.11', handler: 'pkg/mod.fn' }))).toEqual([]);
  });
});

describe('Function code: exactly one of inline, configMap, path, s3, image', () => {
  it.each([
    [{ inline: { 'a.mjs': '' } }, []],
    [{ configMap: { name: 'hello-code' } }, []],
    [{ s3: { bucket: 'builds', key: 'fn/build-1.zip' } }, []],
    [{ s3: { bucket: 'builds', key: 'k.zip' }, inline: { 'a.mjs': '' } }, ['spec.code: the code needs exactly one of inline, configMap, path, s3, image; got inline and s3']],
    [{ image: 'registry/app:1' }, []],
    [{}, ['spec.code: the code needs exactly one of inline, configMap, path, s3, image; none is set']],
    [{ inline: { 'a.mjs': '' }, image: 'x' }, ['spec.code: the code needs exactly one of inline, configMap, path, s3, image; got inline and image']],
    [{ configMap: { name: 'c' }, image: 'x' }, ['spec.code: the code needs exactly one of inline, configMap, path, s3, image; got configMap and image']],
  ])('%j', (code, expected) => {
    expect(problems(withSpec({ code }))).toEqual(expected);
  });

  it('refuses an empty inline map', () => {
    expect(problems(withSpec({ code: { inline: {} } }))).toEqual(['spec.code.inline: must have at least 1 entry']);
  });

  it.each([
    ['../evil.js', 'file names must not contain ".."'],
    ['lib/../../evil.js', 'file names must not contain ".."'],
    ['/etc/passwd', 'file names must be relative, not absolute'],
    ['C:/x.js', 'file names must be relative, not absolute'],
    ['a\\b.js', 'file names use "/" as separator and no "\\" or NUL'],
    ['a//b.js', 'file names must not contain empty or "." segments'],
    ['./a.js', 'file names must not contain empty or "." segments'],
  ])('refuses the inline file name %p', (name, message) => {
    const p = problems(withSpec({ code: { inline: { 'index.mjs': '', [name]: 'x' } } }));
    expect(p).toEqual([`spec.code.inline[${JSON.stringify(name)}]: ${message}`]);
  });

  it('accepts files in folders, and refuses a name that is both a file and a folder', () => {
    expect(problems(withSpec({ code: { inline: { 'index.mjs': '', 'lib/util.mjs': '' } } }))).toEqual([]);
    expect(problems(withSpec({ code: { inline: { 'index.mjs': '', lib: '', 'lib/util.mjs': '' } } })))
      .toEqual(['spec.code.inline["lib"]: is a file, but lib/util.mjs needs it to be a folder']);
  });

  it('wants a bootstrap file for a provided runtime with inline code', () => {
    expect(problems(withSpec({ runtime: 'provided', code: { inline: { 'run.sh': '' } } })))
      .toEqual(['spec.code.inline: a provided runtime needs an executable file named bootstrap']);
  });

  it('refuses a configMap name that is not a DNS subdomain', () => {
    expect(problems(withSpec({ code: { configMap: { name: 'Bad_Name' } } }))[0]).toMatch(/^spec.code.configMap.name: must be a DNS-1123 subdomain/);
  });
});

describe('Function async destinations: exactly one of function, topic, eventBus, queue', () => {
  it.each(['function', 'topic', 'eventBus', 'queue'])('accepts %s', (kind) => {
    expect(problems(withSpec({ async: { onSuccess: { [kind]: 'x' }, onFailure: { [kind]: 'y' }, deadLetter: { [kind]: 'z' } } }))).toEqual([]);
  });

  it('refuses none, two, and unknown kinds of destination', () => {
    expect(problems(withSpec({ async: { onSuccess: {}, onFailure: { topic: 'a', queue: 'b' }, deadLetter: { sqs: 'q' } } }))).toEqual([
      'spec.async.deadLetter.sqs: unknown field; known fields: function, topic, eventBus, queue',
      'spec.async.onSuccess: a destination needs exactly one of function, topic, eventBus, queue; none is set',
      'spec.async.onFailure: a destination needs exactly one of function, topic, eventBus, queue; got topic and queue',
      'spec.async.deadLetter: a destination needs exactly one of function, topic, eventBus, queue; none is set',
    ]);
  });
});

describe('Function environment', () => {
  it('accepts ordinary keys', () => {
    expect(problems(withSpec({ environment: { GREETING: 'hi', log_level: 'debug', A1_B: '' } }))).toEqual([]);
  });

  it.each(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_RUNTIME_API', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_SECRET_ACCESS_KEY', 'TZ'])(
    'refuses the reserved key %s',
    (key) => {
      expect(problems(withSpec({ environment: { [key]: 'x' } }))).toEqual([`spec.environment.${key}: ${key} is reserved by the Lambda runtime and cannot be set`]);
    },
  );

  it('refuses keys that are not [a-zA-Z][a-zA-Z0-9_]*', () => {
    expect(problems(withSpec({ environment: { '1ST': 'x', 'A-B': 'y' } }))).toEqual([
      'spec.environment["1ST"]: keys must start with a letter and hold only letters, digits and _',
      'spec.environment["A-B"]: keys must start with a letter and hold only letters, digits and _',
    ]);
  });

  it('refuses a number value and says how to fix it', () => {
    expect(problems(withSpec({ environment: { PORT: 8080 } }))).toEqual(['spec.environment.PORT: must be a string, got 8080 (quote it: "8080")']);
  });

  it('allows 4 KB of keys and values, not more', () => {
    expect(problems(withSpec({ environment: { BIG: 'x'.repeat(4093) } }))).toEqual([]);
    expect(problems(withSpec({ environment: { BIG: 'x'.repeat(4094) } }))).toEqual(['spec.environment: keys and values must total at most 4 KB (4096 bytes), got 4097 bytes']);
  });
});

describe('Function secretEnvironment', () => {
  const ref = (secret: string, key: string) => ({ secret, key });

  it('accepts references to Secret keys beside environment', () => {
    const f = parsed(withSpec({ environment: { GREETING: 'hi' }, secretEnvironment: { DB_PASSWORD: ref('db-credentials', 'password'), TOKEN: ref('api.tokens', 'app_1.key-x') } }));
    expect(f.spec.secretEnvironment).toEqual({ DB_PASSWORD: ref('db-credentials', 'password'), TOKEN: ref('api.tokens', 'app_1.key-x') });
  });

  it('refuses reserved and malformed variable names, as environment does', () => {
    expect(problems(withSpec({ secretEnvironment: { AWS_SECRET_ACCESS_KEY: ref('s', 'k'), AWS_LAMBDA_X: ref('s', 'k'), 'A-B': ref('s', 'k') } }))).toEqual([
      'spec.secretEnvironment.AWS_SECRET_ACCESS_KEY: AWS_SECRET_ACCESS_KEY is reserved by the Lambda runtime and cannot be set',
      'spec.secretEnvironment.AWS_LAMBDA_X: AWS_LAMBDA_X is reserved by the Lambda runtime and cannot be set',
      'spec.secretEnvironment["A-B"]: keys must start with a letter and hold only letters, digits and _',
    ]);
  });

  it('refuses a variable that is also in environment', () => {
    expect(problems(withSpec({ environment: { DB_PASSWORD: 'plain' }, secretEnvironment: { DB_PASSWORD: ref('db', 'password') } }))).toEqual([
      'spec.secretEnvironment.DB_PASSWORD: DB_PASSWORD is also set in environment: a variable comes from one of environment and secretEnvironment',
    ]);
  });

  it('refuses a Secret name that is not a DNS-1123 subdomain, a key outside [-._a-zA-Z0-9], and other fields', () => {
    const out = problems(withSpec({ secretEnvironment: { A: ref('Db_Creds', 'password'), B: ref('db', 'a/b'), C: { secret: 'db' }, D: { ...ref('db', 'k'), optional: true } } }));
    expect(out).toHaveLength(4);
    expect(out[0]).toMatch(/^spec\.secretEnvironment\.A\.secret: /);
    expect(out[1]).toMatch(/^spec\.secretEnvironment\.B\.key: /);
    expect(out[2]).toMatch(/^spec\.secretEnvironment\.C(\.key)?: /);
    expect(out[3]).toMatch(/^spec\.secretEnvironment\.D/);
  });

  it('allows 50 entries, not 51', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, ref('db', 'k')]));
    expect(problems(withSpec({ secretEnvironment: many(50) }))).toEqual([]);
    expect(problems(withSpec({ secretEnvironment: many(51) }))).toHaveLength(1);
  });

  it('is kept by a FunctionVersion snapshot, with the same rules', () => {
    const v = {
      apiVersion: 'klambda.dev/v1alpha1', kind: 'FunctionVersion', metadata: { name: 'hello-v1' },
      spec: { functionName: 'hello', version: '1', codeSha256: `${'A'.repeat(43)}=`, function: { ...base().spec, secretEnvironment: { DB: ref('db', 'password') } as Record<string, unknown> } },
    };
    expect(problems(v)).toEqual([]);
    v.spec.function.secretEnvironment = { TZ: ref('db', 'password') };
    expect(problems(v)).toEqual(['spec.function.secretEnvironment.TZ: TZ is reserved by the Lambda runtime and cannot be set']);
  });
});

describe('metadata', () => {
  it.each(['hello', 'a', 'a-1', 'x'.repeat(63)])('accepts the name %p', (name) => {
    expect(problems({ ...base(), metadata: { name } })).toEqual([]);
  });

  it.each(['Hello', 'hello_world', '-hello', 'hello-', 'hello.world', ''])('refuses the name %p', (name) => {
    expect(problems({ ...base(), metadata: { name } })).toEqual([
      `metadata.name: must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, got ${JSON.stringify(name)}`,
    ]);
  });

  it('refuses a name longer than 63', () => {
    expect(problems({ ...base(), metadata: { name: 'x'.repeat(64) } })).toEqual(['metadata.name: must be at most 63 characters, got 64']);
  });

  it('keeps labels and annotations and refuses other metadata', () => {
    expect(problems({ ...base(), metadata: { name: 'a', namespace: 'team-a', labels: { app: 'x' }, annotations: { note: 'y' } } })).toEqual([]);
    expect(problems({ ...base(), metadata: { name: 'a', uid: '1' } })).toEqual(['metadata.uid: unknown field; known fields: name, namespace, labels, annotations']);
  });
});

describe('unknown fields and several problems at once', () => {
  it('names the path of a misspelt field and suggests the right one', () => {
    expect(problems(withSpec({ memoryMb: 256 }))).toEqual([
      'spec.memoryMb: unknown field (did you mean memoryMB?); known fields: runtime, handler, code, memoryMB, timeoutSeconds, ephemeralStorageMB, environment, secretEnvironment, serviceAccountName, networking, reservedConcurrency, async, publish, description, tags, layers, url',
    ]);
    expect(problems(withSpec({ timeout: 3 }))[0]).toMatch(/^spec.timeout: unknown field;/);
  });

  it('reports every problem of the object, not only the first', () => {
    const p = problems(withSpec({ memoryMB: 64, timeoutSeconds: 901, runtime: 'go', environment: { AWS_REGION: 'x' }, extra: 1 }));
    expect(p).toHaveLength(5);
    expect(p.map((l) => l.split(':')[0])).toEqual(expect.arrayContaining(['spec.memoryMB', 'spec.timeoutSeconds', 'spec.runtime', 'spec.environment.AWS_REGION', 'spec.extra']));
  });
});
