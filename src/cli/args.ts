// Parses the klambda command line into one typed options object (pure).
import { parseArgs } from 'node:util';
import type { LocalOptions } from '../local/dev.js';
import { LOG_FORMATS, type LogFormat } from '../local/console-format.js';
import { UsageError } from './usage-error.js';
import { CLUSTER_SUMMARY, CONTROLLER_USAGE, parseControllerArgs, parseRouterArgs, ROUTER_USAGE, type ControllerCommand, type RouterCommand } from './cluster-args.js';

/** `klambda dev`: the local mode's options as the command line gives them. */
export type DevCommand = { command: 'dev' }
  & Pick<LocalOptions, 'dir' | 'port' | 'host' | 'redisUrl' | 'idleTimeoutSeconds' | 'region' | 'accountId' | 'auth' | 's3EventsToken'>
  & Required<Pick<LocalOptions, 'maxEnvironments'>>
  // unset: text on a terminal, json otherwise (decided where stdout is known)
  & { logFormat?: LogFormat };

export { UsageError };

export type Subcommand = 'dev' | 'controller' | 'router';
export type CliCommand = DevCommand | ControllerCommand | RouterCommand | { command: 'help'; topic?: Subcommand } | { command: 'version' };

export const DEV_USAGE = `usage: klambda dev [DIR] [options]
  Runs klambda locally on the manifests in DIR (default: .): the Lambda API on http://HOST:PORT, execution
  environments as child processes, Redis from --redis-url / REDIS_URL or a private redis-server.
options:
  --port PORT      port of the Lambda API (default 9000; 0 picks a free one)
  --host HOST      address to listen on (default 127.0.0.1)
  --redis-url URL  Redis to use (default: $REDIS_URL, else klambda starts redis-server itself); a Redis Cluster
                   is redis+cluster://HOST:PORT[?addr=HOST:PORT&addr=...] (rediss+cluster:// for TLS)
  --idle-timeout S seconds an idle version keeps its environments (default 300)
  --region R       region in ARNs (default us-east-1)
  --account-id ID  account id in ARNs (default 000000000000)
  --max-environments N  execution environments per function version at most (default 64); more
                   concurrent invocations than this wait in the queue instead of starting processes
  --auth FILE      SigV4 on every call, with the access keys of FILE (AWS credentials-file format, see README);
                   without it: no authentication, but only loopback Hosts, no foreign Origin, no form-like writes
  --s3-events-token T  token of the S3 object-event webhook (http://HOST:PORT/_klambda/s3-events/default/T;
                   default: a random one kept in DIR/.klambda/s3-events-token; the URL is printed at start)
  --log-format F   text (one line per event, for a person; the default on a terminal) or json (JSON lines,
                   the default when stdout is not a terminal); colour on a terminal unless NO_COLOR is set
  -h, --help       this text`;

export const USAGE: string = `usage: klambda <command> [options]
commands:
  dev         run klambda locally on a folder of manifests (klambda dev --help)
${CLUSTER_SUMMARY}
  --version   print the version`;

/** The usage text of one subcommand, or the top-level one. */
export function usageOf(topic: Subcommand | undefined): string {
  if (topic === 'dev') return DEV_USAGE;
  if (topic === 'controller') return CONTROLLER_USAGE;
  if (topic === 'router') return ROUTER_USAGE;
  return USAGE;
}

const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

/** node:util parseArgs's own errors (unknown flag, missing value) as a UsageError of the subcommand. */
function asUsageError(err: unknown, command: Subcommand | undefined): unknown {
  if (err instanceof UsageError) return new UsageError(err.message, err.command ?? command);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) return new UsageError((err as Error).message, command);
  return err;
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const first = argv[0];
  const command: Subcommand | undefined = first === 'dev' || first === 'controller' || first === 'router' ? first : undefined;
  if (command !== undefined && wantsHelp(argv.slice(1))) return { command: 'help', topic: command };
  try {
    if (command === 'controller') return parseControllerArgs(argv.slice(1), env);
    if (command === 'router') return parseRouterArgs(argv.slice(1), env);
    return parseDev(argv, env);
  } catch (err) {
    throw asUsageError(err, command);
  }
}

function parseDev(argv: string[], env: Record<string, string | undefined>): CliCommand {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' }, host: { type: 'string' }, 'redis-url': { type: 'string' },
      'idle-timeout': { type: 'string' }, 'max-environments': { type: 'string' }, region: { type: 'string' }, 'account-id': { type: 'string' }, auth: { type: 'string' },
      's3-events-token': { type: 'string' }, 'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' },
    },
  });
  if (values.version) return { command: 'version' };
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  if (command !== 'dev') throw new UsageError(`unknown command '${command}'`);
  if (rest.length > 1) throw new UsageError(`dev takes one folder, got ${rest.length}`);
  const port = Number(values.port ?? '9000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${values.port}`);
  const idle = Number(values['idle-timeout'] ?? '300');
  if (!Number.isFinite(idle) || idle < 0) throw new UsageError(`--idle-timeout must be a number of seconds, got ${values['idle-timeout']}`);
  const maxEnvironments = Number(values['max-environments'] ?? '64');
  if (!Number.isInteger(maxEnvironments) || maxEnvironments < 1) throw new UsageError(`--max-environments must be a whole number >= 1, got ${values['max-environments']}`);
  const accountId = values['account-id'] ?? '000000000000';
  if (!/^\d{12}$/.test(accountId)) throw new UsageError(`--account-id must be 12 digits, got ${accountId}`);
  const cmd: DevCommand = {
    command: 'dev', dir: rest[0] ?? '.', port, host: values.host ?? '127.0.0.1', idleTimeoutSeconds: idle,
    region: values.region ?? 'us-east-1', accountId, maxEnvironments,
  };
  const redisUrl = values['redis-url'] ?? env.REDIS_URL;
  if (redisUrl) cmd.redisUrl = redisUrl;
  if (values.auth !== undefined) cmd.auth = values.auth;
  const s3Token = values['s3-events-token'];
  if (s3Token !== undefined) {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(s3Token)) throw new UsageError('--s3-events-token must be 16 to 128 letters, digits, - and _');
    cmd.s3EventsToken = s3Token;
  }
  const logFormat = values['log-format'];
  if (logFormat !== undefined) {
    if (!(LOG_FORMATS as readonly string[]).includes(logFormat)) throw new UsageError(`--log-format must be text or json, got ${logFormat}`);
    cmd.logFormat = logFormat as LogFormat;
  }
  return cmd;
}
