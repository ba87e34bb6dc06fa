/**
 * Rendered objects against Kubernetes: the OpenAPI schemas of `kubernetes-models`
 * (`new Deployment(obj).validate()`) and, for unknown fields (a typo such as `readinesProbe`, which the
 * API server would drop), the same models' type declarations. The ServiceMonitor (a CRD, not in
 * kubernetes-models) gets structural checks instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ROOT } from './paths.js';
import { asArr, asObj, check, isObj, passed, problems, str, type Obj } from './report.js';

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

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Names, schemas and unknown fields of every rendered object. */
export async function validateObjects(label: string, docs: readonly Obj[]): Promise<void> {
  for (const doc of docs) {
    const apiVersion = str(doc.apiVersion);
    const kind = str(doc.kind);
    const name = str(asObj(doc.metadata).name);
    const where = `${label}: ${kind}/${name}`;
    check(DNS1123.test(name) && name.length <= 63, `${where}: name is not a DNS-1123 label`);
    if (apiVersion === 'monitoring.coreos.com/v1' && kind === 'ServiceMonitor') {
      checkServiceMonitor(doc, where);
      continue;
    }
    const Model = await modelClass(apiVersion, kind);
    check(Model, `${where}: ${apiVersion} ${kind} is not a known Kubernetes kind (add explicit handling)`);
    if (!Model) continue;
    try {
      new Model(doc).validate();
      passed();
    } catch (error) {
      problems.push(`${where}: schema: ${(error as Error).message}`);
    }
    const dts = packageFile(ROOT, `kubernetes-models/${apiVersion}/${kind}.d.ts`);
    const unknown: string[] = [];
    unknownFields(doc, dts, kind, unknown);
    check(unknown.length === 0, `${where}: ${unknown.join('; ')}`);
  }
}
