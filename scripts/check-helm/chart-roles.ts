/**
 * The chart's role lists against the role registry (@csms/config): the roles `_helpers.tpl` deploys
 * (values key -> `csms` role) and those it gives a gRPC port, the values and schema sections per role,
 * and the roles a seed file may be loaded by.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEPLOYED_ROLES, ROLES, SERVICE_ROLES } from '@csms/config';
import { CHART } from './paths.js';
import { asArr, asObj, check, isObj, type Obj } from './report.js';

/** The body of a `{{- define "<name>" -}}` block of the chart's helpers. */
function defineBody(helpers: string, name: string): string | undefined {
  const quoted = name.replace(/\./g, '\\.');
  return new RegExp(`\\{\\{-? define "${quoted}" -?\\}\\}\\n([\\s\\S]*?)\\n\\{\\{-? end -?\\}\\}`).exec(
    helpers,
  )?.[1];
}

/** A role's values section: `smart-charging` -> `smartCharging`. */
export const valuesKey = (role: string): string =>
  role.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

const same = (a: readonly string[], b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b);

/** Checks the chart's role lists; returns a line for the report. */
export function checkChartRoles(): string {
  const helpers = readFileSync(join(CHART, 'templates/_helpers.tpl'), 'utf8');
  const roles = asObj(parse(defineBody(helpers, 'csms.roles') ?? '') as unknown);
  const grpcRoles = asArr(parse(defineBody(helpers, 'csms.grpcRoles') ?? '') as unknown);
  const chartRoles = Object.values(roles).map(String);
  check(
    same(chartRoles, DEPLOYED_ROLES),
    `_helpers.tpl csms.roles deploys [${chartRoles.join(', ')}], the role registry (@csms/config) [${DEPLOYED_ROLES.join(', ')}]`,
  );
  for (const [key, role] of Object.entries(roles))
    check(
      key === valuesKey(String(role)),
      `_helpers.tpl csms.roles: role ${String(role)} has values key ${key}`,
    );
  check(
    same(grpcRoles.map(String), SERVICE_ROLES),
    `_helpers.tpl csms.grpcRoles is [${grpcRoles.join(', ')}], the registry's gRPC roles [${SERVICE_ROLES.join(', ')}]`,
  );
  const values = asObj(parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as unknown);
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Obj;
  const properties = asObj(schema.properties);
  for (const role of DEPLOYED_ROLES) {
    check(isObj(values[valuesKey(role)]), `values.yaml: no ${valuesKey(role)} section for role ${role}`);
    check(
      isObj(properties[valuesKey(role)]),
      `values.schema.json: no ${valuesKey(role)} property for role ${role}`,
    );
  }
  const seedRoles = asArr(asObj(asObj(asObj(asObj(properties.seed).properties).roles).items).enum);
  check(
    same(seedRoles.map(String), DEPLOYED_ROLES),
    `values.schema.json: seed.roles allows [${seedRoles.join(', ')}], the deployed roles are [${DEPLOYED_ROLES.join(', ')}]`,
  );
  const jobs = Object.entries(ROLES).filter(([, spec]) => spec.deployment === 'hook-job');
  return `  chart roles = registry: ${DEPLOYED_ROLES.join(', ')} (Deployments), ${jobs.map(([r]) => r).join(', ')} (hook Job)`;
}
