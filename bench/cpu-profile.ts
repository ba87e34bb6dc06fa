/**
 * Summary of a V8 CPU profile (`node --cpu-prof`, a `.cpuprofile` file): where the process spent its
 * time, as self time per function and per module (package or repository folder). Used to profile the
 * CSMS under the benchmark's load (`npm run bench -- --cpu-prof <dir>`), or on its own:
 * `npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time of one function or module. */
export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  /** Share of the profile's sampled time, 0..1. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time, ms. */
  readonly totalMs: number;
  /** Not idle (every sample but `(idle)`), ms. */
  readonly busyMs: number;
  readonly functions: readonly SelfTime[];
  readonly modules: readonly SelfTime[];
}

/** The module of a script URL: an npm package, a folder of this repository, `node:` or a V8 category. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node (internal)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1] !== undefined) return nm[1];
  const repo = /\/(packages|services|apps)\/([^/]+)\//.exec(url);
  if (repo?.[1] !== undefined && repo[2] !== undefined) return `${repo[1]}/${repo[2]}`;
  return url.replace(/^file:\/\//, '');
}

export function summariseCpuProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfByNode = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: it is spent in sample i-1's node; close enough
  // for summaries (µs).
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfByNode) {
    const node = byId.get(id);
    if (node === undefined) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += us;
    const module = moduleOf(url, functionName);
    const name = `${functionName || '(anonymous)'} ${url === '' ? '' : `${module}:${lineNumber + 1}`}`.trim();
    fn.set(name, (fn.get(name) ?? 0) + us);
    mod.set(module, (mod.get(module) ?? 0) + us);
  }
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 100) / 10,
        share: total > 0 ? Math.round((us / total) * 1000) / 1000 : 0,
      }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round((total - idle) / 1000),
    functions: rank(fn),
    modules: rank(mod),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(6);
  return [
    `${s.file}: ${s.totalMs} ms sampled, ${s.busyMs} ms busy (${pct(s.busyMs / Math.max(1, s.totalMs)).trim()})`,
    'self time by module:',
    ...s.modules.map((m) => `  ${pct(m.share)}  ${String(m.ms).padStart(9)} ms  ${m.name}`),
    'self time by function:',
    ...s.functions.map((f) => `  ${pct(f.share)}  ${String(f.ms).padStart(9)} ms  ${f.name}`),
  ].join('\n');
}

if (process.argv[1]?.endsWith('cpu-profile.ts') === true) {
  const [file, top] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: npx tsx bench/cpu-profile.ts <file.cpuprofile> [top]\n');
    process.exitCode = 2;
  } else {
    process.stdout.write(`${formatProfileSummary(summariseCpuProfile(file, top ? Number(top) : 25))}\n`);
  }
}
