// Test helper: execution environments that are stopped after each test.
import { ExecutionEnvironment, type ExecutionEnvironmentOptions } from '../../src/agent/execution-environment.js';
import type { EnvironmentSpec } from '../../src/core/environment-spec.js';
import { LogCapture, memoryLogger } from '../fixtures/functions/specs.js';

export type MakeEnvironment = (spec: EnvironmentSpec, logs?: LogCapture, options?: Partial<ExecutionEnvironmentOptions>) => { env: ExecutionEnvironment; logs: LogCapture };

/** Call at the top of a test file: returns a factory whose environments are stopped after every test. */
export function useEnvironments(): MakeEnvironment {
  const started: ExecutionEnvironment[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.stop()));
  });
  return (spec, logs = new LogCapture(), options = {}) => {
    const env = new ExecutionEnvironment(spec, { logger: memoryLogger(), logSink: logs.sink, ...options });
    started.push(env);
    return { env, logs };
  };
}
