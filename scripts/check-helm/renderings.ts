/** The renderings checked: the defaults, every example, variants of the defaults, and wrong values. */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { helm, readValues, render } from './helm-binary.js';
import { CHART, EXAMPLES, HELM_DIR, NAMESPACE, ROOT } from './paths.js';
import { checkRendered } from './rendered.js';
import { check, type Obj } from './report.js';

/** `helm lint --strict` and the rendered checks for the defaults and every example values file. */
export async function checkExamples(): Promise<void> {
  const examples = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml') && f !== 'nats-values.yaml')
    .map((f) => join(EXAMPLES, f));
  check(
    examples.length >= 3,
    'helm/examples: expected example values for a small site, 10k and 100k stations',
  );
  for (const file of [undefined, ...examples]) {
    const label = file ? relative(ROOT, file) : 'default values';
    const lint = helm(['lint', '--strict', CHART, '--namespace', NAMESPACE, ...(file ? ['-f', file] : [])]);
    check(lint.ok, `${label}: helm lint --strict failed:\n${lint.out}${lint.err}`);
    const r = render(file);
    check(r.ok, `${label}: helm template failed: ${r.err}`);
    if (r.ok) await checkRendered(label, r.docs, readValues(file));
  }
}

// The optional parts with the defaults: ServiceMonitor, gRPC mTLS, seed; plain ws without policies.
const variants: [string, Obj][] = [
  [
    'monitoring-mtls-seed',
    {
      metrics: { serviceMonitor: { enabled: true } },
      grpcTls: { enabled: true, secretName: 'csms-grpc-tls' },
      seed: { enabled: true, content: { stations: [{ id: 'CP001', securityProfile: 0 }] } },
    },
  ],
  ['plain-ws-no-policies', { edge: { tls: { mode: 'none' } }, networkPolicy: { enabled: false } }],
  ['tls-at-load-balancer', { edge: { tls: { mode: 'loadBalancer' } } }],
  // Both key types on the station port (OCPP's ECDSA and RSA cipher suites).
  ['rsa-and-ecdsa-certificates', { edge: { tls: { ecdsaSecretName: 'csms-edge-tls-ecdsa' } } }],
  [
    'station-ca',
    {
      stationCa: {
        secretName: 'csms-station-ca',
        v2gSecretName: 'csms-v2g-ca',
        organization: 'ACME CSO',
        renewalDays: 14,
      },
    },
  ],
];

export async function checkVariants(): Promise<void> {
  for (const [label, overlay] of variants) {
    const file = join(HELM_DIR, `variant-${label}.yaml`);
    writeFileSync(file, stringify(overlay));
    const r = render(file);
    check(r.ok, `variant ${label}: helm template failed: ${r.err}`);
    if (r.ok) await checkRendered(`variant ${label}`, r.docs, readValues(file));
  }
}

// Wrong values must fail at install (schema) or render (template checks).
const mustFail: [string, string[]][] = [
  ['replicas as a string', ['--set-string', 'edge.replicas=two']],
  ['unknown key', ['--set', 'worker.replica=3']],
  ['unknown TLS mode', ['--set', 'edge.tls.mode=tls']],
  ['missing resource limits', ['--set', 'worker.resources.limits=null']],
  ['lease TTL below NATS resolution', ['--set', 'worker.leaseTtlMs=500']],
  ['no database', ['--set', 'database.existingSecret=', '--set', 'database.url=']],
  ['database URL not postgres', ['--set', 'database.url=mysql://x']],
  [
    'HPA min above max',
    ['--set', 'edge.autoscaling.minReplicas=9', '--set', 'edge.autoscaling.maxReplicas=3'],
  ],
  ['NATS subchart enabled but not vendored', ['--set', 'nats.enabled=true']],
  [
    'Security Profile 3 behind a TLS-terminating LB',
    ['--set', 'edge.tls.mode=loadBalancer', '--set', 'edge.tls.caSecretName=ca'],
  ],
  ['bad log level', ['--set', 'logLevel=verbose']],
  ['station certificates renewed at once', ['--set', 'stationCa.renewalDays=365']],
  [
    'an ECDSA certificate behind a TLS-terminating LB',
    ['--set', 'edge.tls.mode=loadBalancer', '--set', 'edge.tls.ecdsaSecretName=ec'],
  ],
];

export function checkWrongValues(): void {
  for (const [label, extra] of mustFail) {
    const r = render(undefined, extra);
    check(!r.ok, `wrong values accepted: ${label}`);
  }
  console.log(`  ${mustFail.length} wrong values files refused`);
}
