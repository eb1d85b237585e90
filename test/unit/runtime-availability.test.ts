// Which runtimes can run here, and why not: the pure rules and the PATH probe.
import { chmodSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRuntimeList, runtimeAvailability, unavailableRuntimeMessage } from '../../src/core/runtime-availability.js';
import { localRuntimeAvailability, programOnPath } from '../../src/core/runtime-probe.js';
import { RUNTIME_FACTS } from '../../src/core/runtimes.js';
import { parseControllerArgs } from '../../src/cli/cluster-args.js';
import { UsageError } from '../../src/cli/usage-error.js';

const has = (...programs: string[]) => (p: string) => programs.includes(p);

it('needs each runtime\'s program, and none for nodejs20 (the agent\'s node) or provided (its own bootstrap)', () => {
  expect(runtimeAvailability('ruby3', has('ruby'))).toEqual({ available: true });
  expect(runtimeAvailability('ruby3', has())).toEqual({ available: false, reason: 'ruby is not installed (no ruby on PATH): install Ruby 3 (Debian 12: apt-get install ruby)' });
  expect(runtimeAvailability('dotnet8', has('ruby'))).toMatchObject({ available: false, reason: expect.stringMatching(/^dotnet is not installed/) });
  expect(runtimeAvailability('python3.11', has())).toMatchObject({ available: false });
  expect(runtimeAvailability('nodejs20', has())).toEqual({ available: true });
  expect(runtimeAvailability('provided', has())).toEqual({ available: true });
});

it('refuses a runtime outside the served list whatever is installed', () => {
  expect(runtimeAvailability('ruby3', has('ruby'), ['nodejs20'])).toEqual({ available: false, reason: 'this klambda does not serve ruby3 (its runtimes: nodejs20)' });
  expect(runtimeAvailability('ruby3', has('ruby'), ['ruby3'])).toEqual({ available: true });
  expect(runtimeAvailability('nodejs20', has(), [])).toEqual({ available: false, reason: 'this klambda does not serve nodejs20 (its runtimes: none)' });
});

it('words the Lambda API\'s refusal with Lambda\'s name of the runtime', () => {
  expect(unavailableRuntimeMessage('ruby3', 'why')).toBe('The runtime parameter of ruby3.2 is not supported on this klambda: why');
});

it('reads a runtime list of klambda or Lambda names; empty or "all" is every runtime; an unknown name is an error', () => {
  expect(parseRuntimeList(undefined)).toBeUndefined();
  expect(parseRuntimeList('all')).toBeUndefined();
  expect(parseRuntimeList(' ')).toBeUndefined();
  expect(parseRuntimeList('nodejs20.x, ruby3.3,ruby3,provided.al2023')).toEqual(['nodejs20', 'ruby3', 'provided']);
  expect(() => parseRuntimeList('nodejs20,cobol')).toThrow('unknown runtime "cobol" in the runtime list');
});

it('finds a program only as an executable file on PATH', () => {
  const dir = mkdtempSync(join(tmpdir(), 'klambda-probe-'));
  writeFileSync(join(dir, 'ruby'), '#!/bin/sh\n');
  writeFileSync(join(dir, 'dotnet'), 'not executable');
  mkdirSync(join(dir, 'python3'));
  chmodSync(join(dir, 'ruby'), 0o755);
  const path = `/nonexistent:${dir}`;
  expect(programOnPath('ruby', path)).toBe(true);
  expect(programOnPath('dotnet', path)).toBe(false);
  expect(programOnPath('python3', path)).toBe(false);
  expect(programOnPath('ruby', '')).toBe(false);
  expect(localRuntimeAvailability('ruby3', undefined, path)).toEqual({ available: true });
  expect(localRuntimeAvailability('python3.11', undefined, path)).toMatchObject({ available: false });
});

it('takes ruby3 and dotnet8 handlers as AWS writes them, and refuses others', () => {
  const ruby = RUNTIME_FACTS.ruby3.handler!.shape;
  for (const ok of ['lambda_function.lambda_handler', 'shop/orders.Shop::Orders.place', 'app.Handler.call', 'app.ok?']) expect({ ok, matches: ruby.test(ok) }).toEqual({ ok, matches: true });
  for (const bad of ['lambda_function', 'a.b.c.d', 'app.shop::Orders.place', 'app. handler']) expect({ bad, matches: ruby.test(bad) }).toEqual({ bad, matches: false });
  const dotnet = RUNTIME_FACTS.dotnet8.handler!.shape;
  for (const ok of ['MyFunction::MyFunction.Function::FunctionHandler', 'Greeter', 'My.Fn::My.Fn.Outer+Inner::Handle']) expect({ ok, matches: dotnet.test(ok) }).toEqual({ ok, matches: true });
  for (const bad of ['../Evil', 'A::B', 'A::B::C::D', 'dir/Fn::A.B::C']) expect({ bad, matches: dotnet.test(bad) }).toEqual({ bad, matches: false });
});

it('reads the controller\'s --runtimes (else $KLAMBDA_RUNTIMES), all by default, a usage error for an unknown name', () => {
  const args = (...more: string[]) => ['--redis-url', 'redis://r', ...more];
  expect(parseControllerArgs(args(), {}).runtimes).toBeUndefined();
  expect(parseControllerArgs(args('--runtimes', 'nodejs20.x,ruby3.3'), {}).runtimes).toEqual(['nodejs20', 'ruby3']);
  expect(parseControllerArgs(args(), { KLAMBDA_RUNTIMES: 'provided' }).runtimes).toEqual(['provided']);
  expect(() => parseControllerArgs(args('--runtimes', 'nodejs20,cobol'), {})).toThrow(UsageError);
  expect(() => parseControllerArgs(args('--runtimes', 'nodejs20,cobol'), {})).toThrow('--runtimes: unknown runtime "cobol"');
});
