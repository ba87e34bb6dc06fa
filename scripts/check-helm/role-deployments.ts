/** Each deployed role of the registry (@csms/config) has a complete Deployment in a rendering. */
import { DEPLOYED_ROLES, ROLES, type RoleName } from '@csms/config';
import { RELEASE } from './paths.js';
import { asArr, asObj, check, isObj, str, type Obj } from './report.js';

export const objectName = (d: Obj): string => str(asObj(d.metadata).name);
export const podLabels = (d: Obj): Obj => asObj(asObj(asObj(asObj(d.spec).template).metadata).labels);
export const matches = (selector: Obj, labels: Obj): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** What one role's checks look at: its Deployment's pod, its container and the rendered config. */
interface RoleContext {
  readonly where: string;
  readonly role: RoleName;
  readonly pod: Obj;
  readonly container: Obj;
  readonly env: Obj[];
  readonly envNames: string[];
  readonly values: Obj;
  /** The data of the ConfigMap every pod takes its settings from (envFrom). */
  readonly config: Obj;
}

/** Every deployed role's Deployment, and no other Deployment. */
export function checkRoleDeployments(label: string, docs: readonly Obj[], values: Obj): void {
  const deployments = docs.filter((d) => d.kind === 'Deployment');
  const pdbs = docs.filter((d) => d.kind === 'PodDisruptionBudget');
  const configMap = docs.find((d) => d.kind === 'ConfigMap' && objectName(d) === `${RELEASE}-config`);
  for (const role of DEPLOYED_ROLES) {
    const dep = deployments.find((d) => objectName(d) === `${RELEASE}-${role}`);
    check(dep, `${label}: no Deployment for role ${role}`);
    if (!dep) continue;
    const where = `${label}: Deployment/${objectName(dep)}`;
    const spec = asObj(dep.spec);
    check(
      matches(asObj(asObj(spec.selector).matchLabels), podLabels(dep)),
      `${where}: selector does not match pods`,
    );
    const pod = asObj(asObj(spec.template).spec);
    const containers = asArr(pod.containers).map(asObj);
    check(containers.length === 1, `${where}: expected one container`);
    const container = containers[0] ?? {};
    const env = asArr(container.env).map(asObj);
    const envNames = env.map((e) => str(e.name));
    const ctx = { where, role, pod, container, env, envNames, values, config: asObj(configMap?.data) };
    checkContainer(ctx);
    checkEnvAndPorts(ctx);
    check(
      pdbs.some((p) => matches(asObj(asObj(asObj(p.spec).selector).matchLabels), podLabels(dep))),
      `${where}: no PodDisruptionBudget selects its pods`,
    );
    if (role === 'edge') checkEdge(ctx);
    if (role === 'worker') check(envNames.includes('CSMS_LEASE_TTL_MS'), `${where}: no CSMS_LEASE_TTL_MS`);
  }
  check(
    deployments.length === DEPLOYED_ROLES.length,
    `${label}: ${deployments.length} Deployments, expected ${DEPLOYED_ROLES.length}`,
  );
}

/** `csms <role>`, probes, requests and limits, non-root and read-only, no subPath mounts. */
function checkContainer({ where, role, pod, container: c }: RoleContext): void {
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
  for (const m of asArr(c.volumeMounts).map(asObj))
    check(
      m.subPath === undefined,
      `${where}: volume ${str(m.name)} uses subPath (updates would not reach the pod)`,
    );
}

/** The settings every pod needs, and the ports its registry entry says it serves. */
function checkEnvAndPorts({ where, role, container, env, envNames, config }: RoleContext): void {
  for (const v of ['CSMS_NODE_ID', 'CSMS_DATABASE_URL', 'CSMS_API_TOKEN'])
    check(envNames.includes(v), `${where}: env ${v} missing`);
  check(
    str(asObj(asObj(env.find((e) => e.name === 'CSMS_NODE_ID')?.valueFrom).fieldRef).fieldPath) ===
      'metadata.name',
    `${where}: CSMS_NODE_ID must be the pod name`,
  );
  const spec = ROLES[role];
  if (spec.nats)
    check(
      envNames.includes('CSMS_NATS_URL') || str(config.CSMS_NATS_URL) !== '',
      `${where}: the ${role} role needs CSMS_NATS_URL (env or ConfigMap)`,
    );
  const ports = asArr(container.ports).map((p) => str(asObj(p).name));
  check(ports.includes('metrics'), `${where}: no metrics port`);
  if (spec.services.length > 0) check(ports.includes('grpc'), `${where}: no grpc port`);
  if (spec.admin) check(ports.includes('admin'), `${where}: no admin port`);
}

/** The edge drains: a preStop delay, a grace period above its own, TLS files from a Secret volume. */
function checkEdge({ where, pod, container: c, env, envNames, values }: RoleContext): void {
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
    const ecdsa = Boolean(asObj(asObj(values.edge).tls).ecdsaSecretName);
    check(
      envNames.includes('CSMS_TLS_ECDSA_CERT_FILE') === ecdsa &&
        envNames.includes('CSMS_TLS_ECDSA_KEY_FILE') === ecdsa,
      `${where}: CSMS_TLS_ECDSA_CERT_FILE / _KEY_FILE must be set exactly when edge.tls.ecdsaSecretName is`,
    );
  }
}
