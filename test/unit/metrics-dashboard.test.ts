// The Grafana dashboard shipped in the chart: its variables, its data source, and metric names that klambda exports.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/package-root.js';
import { dashboardQueries, substitute } from '../helpers/prometheus.js';

const dashboard = JSON.parse(readFileSync(join(packageRoot(), 'charts', 'klambda', 'dashboards', 'klambda.json'), 'utf8')) as {
  uid: string; templating: { list: Array<{ name: string; type: string }> }; panels: Array<{ type: string; datasource?: { uid: string } }>;
};

/** Every metric name src/metrics defines (name: '...' in the definitions). */
function definedNames(): Set<string> {
  const dir = join(packageRoot(), 'src', 'metrics');
  const names = new Set<string>();
  for (const file of readdirSync(dir)) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/['"](klambda_[a-z_]+)['"]/g)) names.add(m[1]!);
  }
  return names;
}

describe('the Grafana dashboard', () => {
  it('has the data source, namespace and function variables, and every panel reads ${datasource}', () => {
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v.type]));
    expect(vars).toMatchObject({ datasource: 'datasource', namespace: 'query', function: 'query' });
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) expect(p.datasource?.uid).toBe('${datasource}');
  });

  it('asks only for metrics klambda defines (histograms by their _bucket series), filtered by namespace and function where they carry them', () => {
    const defined = definedNames();
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) {
      for (const [name] of expr.matchAll(/klambda_[a-z_]+/g)) {
        expect([panel, defined.has(name.replace(/_bucket$/, ''))]).toEqual([panel, true]);
      }
      if (/klambda_(function|queue|concurrent|throttles|async|dead|provisioned|reserved|router)/.test(expr)) expect(expr).toContain('function=~"$function"');
    }
  });

  it('has every metric the issue asks to watch on it', () => {
    const all = dashboardQueries(dashboard).map((q) => q.expr).join('\n');
    for (const name of ['klambda_function_invocations_total', 'klambda_function_errors_total', 'klambda_function_duration_seconds_bucket', 'klambda_throttles_total',
      'klambda_concurrent_executions', 'klambda_reserved_concurrency', 'klambda_provisioned_concurrency', 'klambda_function_cold_starts_total',
      'klambda_function_init_duration_seconds_bucket', 'klambda_queue_depth', 'klambda_async_event_age_seconds_bucket']) expect(all).toContain(name);
  });

  it('substitutes variables as Grafana does for the query test', () => {
    expect(substitute('rate(x{function=~"$function", ns="${namespace}"}[$__rate_interval])', { function: '.*', namespace: 'a' }, '1m'))
      .toBe('rate(x{function=~".*", ns="a"}[1m])');
  });
});
