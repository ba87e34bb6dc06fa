/**
 * Generates docs/conformance.md from docs/conformance-cases.json and the scenario tests.
 *
 * A test case is `passing` when a test file under test/ names it as the title of a `describe`/`it`
 * (e.g. `describe('TC_B_01_CSMS: ...')`): the table then points at that file, so it cannot claim a
 * case that no test runs. Other cases keep the status recorded in the JSON (`not-yet`, or
 * `not-applicable` with a reason). With `--check`, nothing is written and the exit code is 1 when
 * either file is out of date (CI runs this).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Case {
  id: string;
  version: '1.6' | '2.0.1';
  title: string;
  profile: string;
  status: 'passing' | 'not-yet' | 'not-applicable';
  reason: string | null;
  test: string | null;
}

const root = new URL('..', import.meta.url).pathname;
const jsonPath = join(root, 'docs/conformance-cases.json');
const mdPath = join(root, 'docs/conformance.md');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

function scenarioTests(): Map<string, string> {
  const found = new Map<string, string>();
  const pattern = /\b(?:describe|it|test)(?:\.\w+)?\(\s*['"`](TC_[A-Z0-9_]+?_CSMS)\b/g;
  for (const file of testFiles(join(root, 'test')).sort()) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
      const id = m[1] as string;
      if (!found.has(id)) found.set(id, relative(root, file));
    }
  }
  return found;
}

const PROFILE_ORDER: Record<string, string[]> = {
  '1.6': [
    'Core',
    'Firmware Management',
    'Local Auth List Management',
    'Reservation',
    'Smart Charging',
    'Remote Trigger',
    'Security',
  ],
  '2.0.1': [
    'Core',
    'Advanced Security',
    'Local Authorization List Management',
    'Smart Charging',
    'Advanced Device Management',
    'Reservation',
    'Advanced User Interface',
    'ISO 15118 support',
    'None (not in Part 5)',
  ],
};
const STATUSES = ['passing', 'not-yet', 'not-applicable'] as const;
const esc = (s: string | null): string => (s ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
const counts = (cs: Case[]): string =>
  STATUSES.map((s) => `${s}: ${cs.filter((c) => c.status === s).length}`).join(', ');

function render(cases: Case[]): string {
  const o: string[] = [
    '<!-- Generated from docs/conformance-cases.json by `npm run docs:conformance`. Do not edit by hand. -->',
    '',
    '# OCPP conformance (OCTT CSMS test cases)',
    '',
    'This table lists every CSMS test case of the OCA OCPP Compliance Testing Tool (OCTT) for OCPP 1.6 and OCPP 2.0.1, with the certification profile / feature profile it belongs to and its status in this project. Sources: *OCTT TestCaseDocument 1.6* (FINAL 2024-04), section 3 "SUT Central System"; *OCPP 2.0.1 Edition 3 Part 6 (test cases)*, section 3 "Test Cases Charging Station Management System", with profiles from *Part 5 (certification profiles)* and additions from the *2.0.1 Edition 3 errata 2025-09*.',
    '',
    'Status values:',
    '',
    '- `passing` — a scenario test reproduces the OCTT test case and passes; the "Test / reason" column names the test file that runs it.',
    '- `not-yet` — the CSMS should support the case, but no scenario test covers it yet.',
    '- `not-applicable` — the case does not apply to this CSMS; the "Test / reason" column says why.',
    '',
    'This file is generated from [`conformance-cases.json`](conformance-cases.json) and the scenario tests under `test/` by `npm run docs:conformance`: a case is `passing` exactly when a test names it in a `describe`/`it` title. Edit the JSON (titles, `not-applicable` reasons), not this file.',
  ];
  for (const v of ['1.6', '2.0.1'] as const) {
    const vc = cases.filter((c) => c.version === v);
    const order = PROFILE_ORDER[v] ?? [];
    const profiles = [
      ...order,
      ...[...new Set(vc.map((c) => c.profile))].filter((p) => !order.includes(p)).sort(),
    ].filter((p) => vc.some((c) => c.profile === p));
    o.push('', `## OCPP ${v}`, '', `**${vc.length} test cases** — ${counts(vc)}.`, '');
    o.push(
      `By profile: ${profiles.map((p) => `${p}: ${vc.filter((c) => c.profile === p).length}`).join(', ')}.`,
    );
    for (const p of profiles) {
      const pc = vc.filter((c) => c.profile === p);
      o.push('', `### ${p} (OCPP ${v})`, '', `${pc.length} test cases — ${counts(pc)}.`, '');
      o.push('| Test case | Title | Profile | Status | Test / reason |', '| --- | --- | --- | --- | --- |');
      for (const c of pc) {
        const cell =
          c.status === 'passing' ? `\`${c.test}\`` : c.status === 'not-applicable' ? esc(c.reason) : '';
        o.push(`| ${c.id} | ${esc(c.title)} | ${esc(c.profile)} | ${c.status} | ${cell} |`);
      }
    }
  }
  return o.join('\n') + '\n';
}

const cases = JSON.parse(readFileSync(jsonPath, 'utf8')) as Case[];
const tests = scenarioTests();
const known = new Set(cases.map((c) => c.id));
const unknown = [...tests.keys()].filter((id) => !known.has(id));
if (unknown.length > 0) {
  console.error(`tests name test cases that are not in docs/conformance-cases.json: ${unknown.join(', ')}`);
  process.exit(1);
}
for (const c of cases) {
  const test = tests.get(c.id);
  if (test) {
    c.status = 'passing';
    c.test = test;
  } else if (c.status === 'passing') {
    c.status = 'not-yet';
    c.test = null;
  }
}
const json = JSON.stringify(cases, null, 2) + '\n';
const md = render(cases);
if (process.argv.includes('--check')) {
  const stale = [
    readFileSync(jsonPath, 'utf8') !== json ? 'docs/conformance-cases.json' : '',
    readFileSync(mdPath, 'utf8') !== md ? 'docs/conformance.md' : '',
  ].filter(Boolean);
  if (stale.length > 0) {
    console.error(`${stale.join(' and ')} out of date: run \`npm run docs:conformance\``);
    process.exit(1);
  }
} else {
  writeFileSync(jsonPath, json);
  writeFileSync(mdPath, md);
  const passing = cases.filter((c) => c.status === 'passing').length;
  console.log(`conformance: ${passing} passing of ${cases.length} test cases`);
}
