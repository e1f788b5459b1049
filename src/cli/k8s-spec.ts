import { DEFAULT_PPROF_PORT, type K8sTargetSpec } from '../model/k8s.js';
import { UsageError } from './errors.js';

/** The environment variable that lists Kubernetes targets for drop-in use in Makefiles (operator-controller's `name:namespace:deployment:port` form too). */
export const K8S_ENV = 'HEAPLENS_K8S';

// DNS-1123 labels (namespaces) and subdomains (deployment names), as the API validates them.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
// A selector's requirements: key, operator, values; keys may carry a DNS prefix (app.kubernetes.io/name).
const SELECTOR = /^[A-Za-z0-9./_\-=!,() ]+$/;

function port(text: string | undefined, where: string): number {
  if (text === undefined) return DEFAULT_PPROF_PORT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${where}: port "${text}" is not a port number (1-65535)`);
  return n;
}

/**
 * `NAME=NAMESPACE/deployment/DEPLOY[:PORT]` or `NAME=NAMESPACE/LABEL_SELECTOR[:PORT]`,
 * and operator-controller's `NAME:NAMESPACE:DEPLOY:PORT`.
 */
export function parseK8sSpec(text: string, where = '--k8s'): K8sTargetSpec {
  const spec = text.trim();
  const colon = /^([^=:/\s]+):([^:/\s]+):([^:/\s]+):(\d+)$/.exec(spec);
  if (colon) return checked({ name: colon[1]!, namespace: colon[2]!, deployment: colon[3]!, selector: null, port: port(colon[4], where) }, where);
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`${where}: expected NAME=NAMESPACE/deployment/DEPLOY[:PORT] or NAME=NAMESPACE/SELECTOR[:PORT], got "${spec}"`);
  const name = spec.slice(0, eq);
  let rest = spec.slice(eq + 1);
  const p = /:(\d+)$/.exec(rest);
  const portNumber = port(p?.[1], `${where} ${name}`);
  if (p) rest = rest.slice(0, p.index);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) throw new UsageError(`${where} ${name}: expected NAMESPACE/deployment/DEPLOY or NAMESPACE/SELECTOR after "=", got "${rest}"`);
  const namespace = rest.slice(0, slash);
  const target = rest.slice(slash + 1);
  const deploy = /^(?:deployment|deployments|deploy)\/([^/]+)$/.exec(target);
  return checked({ name, namespace, deployment: deploy ? deploy[1]! : null, selector: deploy ? null : target, port: portNumber }, where);
}

function checked(spec: K8sTargetSpec, where: string): K8sTargetSpec {
  const w = `${where} ${spec.name}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(spec.name)) throw new UsageError(`${where}: target name "${spec.name}" may hold letters, digits, '.', '_' and '-' only`);
  if (!DNS_LABEL.test(spec.namespace) || spec.namespace.length > 63) throw new UsageError(`${w}: "${spec.namespace}" is not a namespace name`);
  if (spec.deployment !== null && (!DNS_SUBDOMAIN.test(spec.deployment) || spec.deployment.length > 253)) throw new UsageError(`${w}: "${spec.deployment}" is not a deployment name`);
  if (spec.selector !== null && (!SELECTOR.test(spec.selector) || !/[=!]|\bin\b|^[A-Za-z0-9./_-]+$/.test(spec.selector))) throw new UsageError(`${w}: "${spec.selector}" is not a label selector`);
  return spec;
}

/** The targets of $HEAPLENS_K8S: entries separated by `;`, `,` between entries, or whitespace. */
export function parseK8sEnv(value: string | undefined): K8sTargetSpec[] {
  if (value === undefined || value.trim() === '') return [];
  // Entries are split on ';' and whitespace only: a selector may contain ','.
  return value
    .split(/[;\s]+/)
    .filter((x) => x !== '')
    .map((x) => parseK8sSpec(x, `$${K8S_ENV}`));
}
