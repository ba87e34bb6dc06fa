/**
 * deploy/grafana/csms-dashboard.json must not rot: every metric it queries exists in the catalogue the
 * processes register (CSMS_METRICS, RUNTIME_METRICS; the telemetry test checks /metrics really exports them),
 * and every label it filters or groups by is one those metrics carry.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSMS_METRICS, RUNTIME_METRICS, type MetricDefinition } from '@csms/telemetry';
import { describe, expect, it } from 'vitest';

const file = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'deploy',
  'grafana',
  'csms-dashboard.json',
);

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid: string };
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
};

/** Series name -> the metric definition it belongs to (histograms: _bucket, _sum, _count). */
const series = new Map<string, MetricDefinition>();
for (const d of [...Object.values(CSMS_METRICS), ...RUNTIME_METRICS]) {
  if (d.kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) series.set(`${d.name}${s}`, d);
  else series.set(d.name, d);
}
/** Labels Prometheus adds to every series (scrape target) or histograms carry. */
const COMMON_LABELS = new Set(['job', 'instance', 'le']);

const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

describe('Grafana dashboard', () => {
  it('parses, uses a Prometheus data-source variable and has unique panel ids', () => {
    expect(dashboard.uid).toBe('csms-ocpp');
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('queries only metrics the processes export, with labels those metrics have', () => {
    const problems: string[] = [];
    for (const { panel, expr } of queries) {
      const names = [...expr.matchAll(/\b((?:csms|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1] as string);
      if (names.length === 0) problems.push(`${panel}: no csms_/nodejs_ metric in ${expr}`);
      const definitions = names.map((name) => series.get(name));
      names.forEach((name, i) => {
        if (definitions[i] === undefined) problems.push(`${panel}: unknown metric ${name}`);
      });
      const known = new Set([...COMMON_LABELS, ...definitions.flatMap((d) => d?.labels ?? [])]);
      const selectorLabels = [...expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
        (m[1] as string)
          .split(',')
          .map((part) => part.trim().split(/[=!~]/)[0] as string)
          .filter((label) => label !== ''),
      );
      const groupLabels = [...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
        (m[1] as string).split(',').map((label) => label.trim()),
      );
      for (const label of [...selectorLabels, ...groupLabels]) {
        if (!known.has(label)) problems.push(`${panel}: label ${label} is not on ${names.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('covers the KPIs: response time quantiles, Authorize p99, connections, CSMS calls, boots, ownership, validation, event loop', () => {
    const all = queries.map((q) => q.expr).join('\n');
    for (const quantile of ['0.5', '0.95', '0.99']) {
      expect(all).toContain(
        `histogram_quantile(${quantile}, sum by (le, action) (rate(csms_ocpp_response_seconds_bucket`,
      );
    }
    expect(all).toMatch(
      /histogram_quantile\(0\.99, [^\n]*csms_ocpp_response_seconds_bucket\{[^}]*action="Authorize"/,
    );
    for (const d of Object.values(CSMS_METRICS)) expect(all, d.name).toContain(d.name);
    expect(all).toContain('nodejs_eventloop_delay_p99');
  });
});
