/** The chart's invariants in one rendering (`helm template` with one values file). */
import { ROLES, type RoleName } from '@csms/config';
import { validateObjects } from './kube-schema.js';
import { RELEASE } from './paths.js';
import { asArr, asObj, check, isObj, str, type Obj } from './report.js';
import { checkRoleDeployments, matches, objectName as name, podLabels } from './role-deployments.js';

const HOOK_JOB_ROLES = (Object.keys(ROLES) as RoleName[]).filter(
  (role) => ROLES[role].deployment === 'hook-job',
);

/** Every check of one rendering; prints a line with what it rendered. */
export async function checkRendered(label: string, docs: Obj[], values: Obj): Promise<void> {
  await validateObjects(label, docs);
  checkRoleDeployments(label, docs, values);
  checkConfigAndHooks(label, docs);
  checkServices(label, docs);
  checkAutoscalers(label, docs, values);
  const external = checkReferences(label, docs, values);
  const kinds = new Map<string, number>();
  for (const d of docs) kinds.set(str(d.kind), (kinds.get(str(d.kind)) ?? 0) + 1);
  console.log(
    `  ${label}: ${docs.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}); expected to exist: ${[...external].join(', ') || 'nothing'}`,
  );
}

/** The pods' settings; the one-shot roles (migrate) run as pre-install/pre-upgrade hook Jobs. */
function checkConfigAndHooks(label: string, docs: readonly Obj[]): void {
  const config = docs.find((d) => d.kind === 'ConfigMap' && name(d) === `${RELEASE}-config`);
  check(
    str(asObj(config?.data).CSMS_DB_MIGRATE) === 'false',
    `${label}: pods must run with CSMS_DB_MIGRATE=false`,
  );
  // The processes bind loopback by default (safe on a laptop); in a pod every listener must be reachable.
  for (const key of ['CSMS_HOST', 'CSMS_GRPC_HOST', 'CSMS_ADMIN_HOST'])
    check(str(asObj(config?.data)[key]) === '0.0.0.0', `${label}: ${key} must be 0.0.0.0 in pods`);
  const jobs = docs.filter((d) => d.kind === 'Job');
  for (const role of HOOK_JOB_ROLES) {
    const job = jobs.find(
      (j) =>
        JSON.stringify(
          asArr(asObj(asObj(asObj(j.spec).template).spec).containers).map((c) => asObj(c).args),
        ) === JSON.stringify([[role]]),
    );
    check(job, `${label}: no ${role} Job`);
    const hook = str(asObj(asObj(job?.metadata).annotations)['helm.sh/hook']);
    check(
      hook.includes('pre-install') && hook.includes('pre-upgrade'),
      `${label}: ${role} Job must be a pre-install,pre-upgrade hook`,
    );
  }
}

/** Services select a Deployment and target its container ports; the edge has its Service. */
function checkServices(label: string, docs: readonly Obj[]): void {
  const deployments = docs.filter((d) => d.kind === 'Deployment');
  const services = docs.filter((d) => d.kind === 'Service');
  for (const svc of services) {
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
  check(
    services.some((s) => name(s) === `${RELEASE}-edge`),
    `${label}: no edge Service`,
  );
}

/** Edges and workers scale with an HPA (unless disabled), which then owns their replica count. */
function checkAutoscalers(label: string, docs: readonly Obj[], values: Obj): void {
  const deployments = docs.filter((d) => d.kind === 'Deployment');
  const hpas = docs.filter((d) => d.kind === 'HorizontalPodAutoscaler');
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
}

/** The Secrets, ConfigMaps and ServiceAccount a pod references. */
function podReferences(pod: Obj): string[] {
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
  return refs;
}

/**
 * Names referenced by pods must be rendered here, or be declared as existing in the values; returns
 * those expected to exist.
 */
function checkReferences(label: string, docs: readonly Obj[], values: Obj): Set<string> {
  const rendered = new Set(docs.map((d) => `${str(d.kind)}/${name(d)}`));
  const external = new Set<string>();
  const pods = [...docs.filter((d) => d.kind === 'Deployment'), ...docs.filter((d) => d.kind === 'Job')];
  for (const d of pods)
    for (const r of podReferences(asObj(asObj(asObj(d.spec).template).spec)))
      if (!rendered.has(r)) external.add(r);
  const declared = new Set(
    [
      asObj(values.database).existingSecret,
      asObj(values.nats).existingSecret,
      asObj(values.apiToken).existingSecret,
      asObj(values.grpcTls).secretName,
      asObj(values.stationCa).secretName,
      asObj(values.stationCa).v2gSecretName,
      asObj(asObj(values.edge).tls).secretName ?? 'csms-edge-tls',
      asObj(asObj(values.edge).tls).caSecretName,
      asObj(asObj(values.edge).tls).ecdsaSecretName,
      asObj(values.seed).existingSecret,
      'csms-database',
      'csms-edge-tls',
    ]
      .filter((s): s is string => typeof s === 'string' && s !== '')
      .map((s) => `Secret/${s}`),
  );
  for (const r of external)
    check(declared.has(r), `${label}: references ${r}, neither rendered nor declared in values`);
  return external;
}
