// Test helper, run as its own process (tsx) by a test that wants another user: one invoke of the node-sandbox probe, printed as JSON.
import { ExecutionEnvironment } from '../../src/agent/execution-environment.js';
import { fixtureSpec, invocation, memoryLogger } from '../fixtures/functions/specs.js';

const logger = memoryLogger();
const spec = fixtureSpec('node-sandbox', 'nodejs20', 'index.probe');
const env = new ExecutionEnvironment(spec, { logger, logSink: () => undefined });
const res = await env.invoke(invocation(spec, { canary: process.argv[2] ?? 'none' }));
await env.stop();
process.stdout.write(`${JSON.stringify({ records: logger.records, probe: JSON.parse(res.payload) as unknown })}\n`);
