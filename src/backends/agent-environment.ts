// The environment an agent process starts with (pure): a few variables a process needs and its config, never klambda's own (credentials, REDIS_URL…).

/** What an agent may inherit: where its tools are, its locale and zone, its temp folder (and the OTEL_* variables). */
export const AGENT_INHERITED = [
  'PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH',
  // where a java17/java21 runtime's JDK and AWS's Java runtime client are (src/core/java-install.ts)
  'JAVA_HOME', 'KLAMBDA_JAVA17_HOME', 'KLAMBDA_JAVA21_HOME', 'KLAMBDA_JAVA_RIC_DIR', 'KLAMBDA_CACHE', 'XDG_CACHE_HOME',
] as const;

export function agentEnvironment(host: NodeJS.ProcessEnv, configJson: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of AGENT_INHERITED) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  // its spans go where klambda's go (OTEL_EXPORTER_OTLP_ENDPOINT…); the function's own environment never sees these
  for (const [name, value] of Object.entries(host)) if (name.startsWith('OTEL_') && value !== undefined) env[name] = value;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.KLAMBDA_AGENT_CONFIG = configJson;
  return env;
}
