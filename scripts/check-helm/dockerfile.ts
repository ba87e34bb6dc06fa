/**
 * The Dockerfile, statically (no Docker engine here): Node 22 base, a multi-stage build, a non-root
 * USER, COPY sources that exist and are not excluded by .dockerignore, the `csms` command as entry point.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { check } from './report.js';

type IgnorePattern = { pattern: RegExp; negate: boolean };

function dockerignorePatterns(): IgnorePattern[] {
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
function ignored(path: string, patterns: IgnorePattern[]): boolean {
  let out = false;
  for (const { pattern, negate } of patterns) if (pattern.test(path)) out = !negate;
  return out;
}

/** What the instructions leave behind: the stages, the final stage's USER, the ENTRYPOINT. */
interface Scan {
  readonly args: Map<string, string>;
  readonly stages: string[];
  lastUser: string;
  entrypoint: string;
}

/** Walks the instructions; checks the base images and the COPY sources on the way. */
function scanInstructions(lines: readonly string[], patterns: IgnorePattern[]): Scan {
  const scan: Scan = { args: new Map(), stages: [], lastUser: '', entrypoint: '' };
  for (const line of lines) {
    const [instr = '', ...rest] = line.split(/\s+/);
    const arg = rest.join(' ');
    switch (instr.toUpperCase()) {
      case 'ARG': {
        const [k, v] = arg.split('=');
        if (k && v !== undefined && scan.stages.length === 0) scan.args.set(k, v.replace(/^"|"$/g, ''));
        break;
      }
      case 'FROM': {
        const image = (rest[0] ?? '').replace(/\$\{?(\w+)\}?/g, (_, k: string) => scan.args.get(k) ?? '');
        check(
          /^node:22[-.]/.test(image) || scan.stages.includes(image),
          `Dockerfile: FROM ${image} is not a node:22-* image`,
        );
        const as = /\bAS\s+(\S+)/i.exec(arg)?.[1];
        scan.stages.push(as ?? `#${scan.stages.length}`);
        scan.lastUser = '';
        break;
      }
      case 'USER':
        scan.lastUser = rest[0] ?? '';
        break;
      case 'ENTRYPOINT':
        scan.entrypoint = arg;
        break;
      case 'COPY':
      case 'ADD':
        checkCopy(rest, scan.stages, patterns);
        break;
      default:
    }
  }
  return scan;
}

/** A COPY from an earlier stage, or of sources that exist and are in the build context. */
function checkCopy(rest: readonly string[], stages: readonly string[], patterns: IgnorePattern[]): void {
  const from = rest.find((r) => r.startsWith('--from='))?.slice('--from='.length);
  const paths = rest.filter((r) => !r.startsWith('--'));
  const sources = paths.slice(0, -1);
  if (from) {
    check(stages.includes(from), `Dockerfile: COPY --from=${from} names no earlier stage`);
    return;
  }
  for (const src of sources) {
    const rel = src.replace(/^\.\//, '').replace(/\/$/, '');
    check(existsSync(join(ROOT, rel)), `Dockerfile: COPY source ${src} does not exist`);
    check(!ignored(rel, patterns), `Dockerfile: COPY source ${src} is excluded by .dockerignore`);
  }
}

export function checkDockerfile(): void {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const patterns = dockerignorePatterns();
  const { stages, lastUser, entrypoint } = scanInstructions(lines, patterns);
  check(stages.length >= 2, 'Dockerfile: expected a multi-stage build');
  check(
    lastUser && !/^(root|0)(:|$)/.test(lastUser),
    `Dockerfile: final stage must set a non-root USER (got "${lastUser}")`,
  );
  check(
    entrypoint.includes('apps/csms/dist/main.js'),
    'Dockerfile: ENTRYPOINT must run apps/csms/dist/main.js',
  );
  checkBuildContext(text, patterns);
}

/** Paths the build needs are in the context, the heavy or secret ones are not. */
function checkBuildContext(text: string, patterns: IgnorePattern[]): void {
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
