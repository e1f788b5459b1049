import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';

import { K8sError } from './k8s-error.js';

export { K8sError };

export interface KubeConfigOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly env: NodeJS.ProcessEnv;
}

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Where the cluster is and how to authenticate, as kubectl decides it:
 * --kubeconfig, else $KUBECONFIG, else in-cluster (the pod's service
 * account) when running in a pod, else ~/.kube/config; --context picks a
 * context. The official client reads the file, so every auth kind it knows
 * (client certificates, tokens, exec plugins, OIDC) works.
 */
export function loadKubeConfig(options: KubeConfigOptions): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    if (options.kubeconfig !== undefined) {
      if (!existsSync(options.kubeconfig)) throw new K8sError(`--kubeconfig: ${options.kubeconfig}: no such file`);
      kc.loadFromFile(options.kubeconfig);
    } else if (!options.env.KUBECONFIG && options.env.KUBERNETES_SERVICE_HOST && existsSync(`${options.env.HEAPLENS_SERVICEACCOUNT_ROOT ?? ''}${SERVICE_ACCOUNT_TOKEN}`)) {
      // In a pod: its service account (mounted under HEAPLENS_SERVICEACCOUNT_ROOT when not at /).
      kc.loadFromCluster(options.env.HEAPLENS_SERVICEACCOUNT_ROOT ?? '');
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    if (e instanceof K8sError) throw e;
    throw new K8sError(`kubeconfig ${options.kubeconfig ?? options.env.KUBECONFIG ?? '~/.kube/config'}: ${oneLine(e)}`);
  }
  if (options.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      throw new K8sError(`--context: no context "${options.context}" in the kubeconfig (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new K8sError('kubeconfig: no current cluster (set a context with --context or kubectl config use-context)');
  return kc;
}

/** What heaplens needs to know of a pod. */
export interface PodInfo {
  readonly name: string;
  readonly uid: string;
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly createdAt: number;
  /** Of the container serving the port (else the first container). */
  readonly restartCount: number;
  readonly lastTermination: { readonly reason: string | null; readonly exitCode: number | null } | null;
}

export interface DeploymentInfo {
  readonly selector: string;
  readonly replicas: number;
  readonly availableReplicas: number;
}

function oneLine(e: unknown): string {
  if (e instanceof k8s.ApiException) {
    // The server's Status message when the client parsed the body, else the status text the client put in its message.
    const body = e.body as { message?: string } | string | undefined;
    const message = (typeof body === 'object' ? body?.message : undefined) ?? /\nMessage: ([^\n]*)/.exec(e.message)?.[1];
    return `HTTP ${e.code}${message ? `: ${message}` : ''}`;
  }
  const err = e as { message?: string; code?: string; cause?: { code?: string; message?: string } };
  return (err.cause?.code ?? err.code ?? err.cause?.message ?? err.message ?? String(e)).split('\n')[0]!;
}

/** A label selector as the API takes it, from a deployment's matchLabels and matchExpressions. */
export function selectorString(selector: k8s.V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const x of selector?.matchExpressions ?? []) {
    const values = (x.values ?? []).join(',');
    if (x.operator === 'In') parts.push(`${x.key} in (${values})`);
    else if (x.operator === 'NotIn') parts.push(`${x.key} notin (${values})`);
    else if (x.operator === 'Exists') parts.push(x.key);
    else if (x.operator === 'DoesNotExist') parts.push(`!${x.key}`);
  }
  return parts.join(',');
}

function podInfo(pod: k8s.V1Pod, port: number): PodInfo {
  const containers = pod.spec?.containers ?? [];
  const serving = containers.find((c) => (c.ports ?? []).some((p) => p.containerPort === port)) ?? containers[0];
  const status = (pod.status?.containerStatuses ?? []).find((s) => s.name === serving?.name) ?? pod.status?.containerStatuses?.[0];
  const terminated = status?.lastState?.terminated;
  const ready = pod.status?.phase === 'Running' && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    ready,
    terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    createdAt: pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : 0,
    restartCount: status?.restartCount ?? 0,
    lastTermination: terminated ? { reason: terminated.reason ?? null, exitCode: terminated.exitCode ?? null } : null,
  };
}

/** The few API calls heaplens makes, each failing with a K8sError that names what it asked for. */
export class KubeApi {
  private readonly core: k8s.CoreV1Api;
  private readonly apps: k8s.AppsV1Api;
  private readonly forward: k8s.PortForward;

  constructor(readonly config: k8s.KubeConfig) {
    this.core = config.makeApiClient(k8s.CoreV1Api);
    this.apps = config.makeApiClient(k8s.AppsV1Api);
    // false: an error on the stream's error channel is reported, not a reason to drop the connection.
    this.forward = new k8s.PortForward(config, false);
  }

  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '?';
  }

  /** null when the namespace does not exist (yet). */
  async namespaceExists(namespace: string): Promise<boolean> {
    try {
      await this.core.readNamespace({ name: namespace });
      return true;
    } catch (e) {
      if (e instanceof k8s.ApiException && e.code === 404) return false;
      throw new K8sError(`${this.server}: reading namespace ${namespace}: ${oneLine(e)}`);
    }
  }

  /** null when the deployment does not exist (yet). */
  async deployment(namespace: string, name: string): Promise<DeploymentInfo | null> {
    try {
      const d = await this.apps.readNamespacedDeployment({ name, namespace });
      return { selector: selectorString(d.spec?.selector), replicas: d.spec?.replicas ?? 1, availableReplicas: d.status?.availableReplicas ?? 0 };
    } catch (e) {
      if (e instanceof k8s.ApiException && e.code === 404) return null;
      throw new K8sError(`${this.server}: reading deployment ${namespace}/${name}: ${oneLine(e)}`);
    }
  }

  async pods(namespace: string, selector: string, port: number): Promise<PodInfo[]> {
    try {
      const list = await this.core.listNamespacedPod({ namespace, labelSelector: selector });
      return list.items.map((p) => podInfo(p, port));
    } catch (e) {
      throw new K8sError(`${this.server}: listing pods in ${namespace} (${selector}): ${oneLine(e)}`);
    }
  }

  /** Opens a port-forward stream to `pod:port` carrying `socket`'s bytes both ways; resolves with the WebSocket once it is open. */
  async portForward(namespace: string, pod: string, port: number, socket: Socket): Promise<{ close(): void; on(event: 'close', listener: () => void): void }> {
    try {
      return (await this.forward.portForward(namespace, pod, [port], socket, null, socket)) as unknown as { close(): void; on(event: 'close', listener: () => void): void };
    } catch (e) {
      throw new K8sError(`${this.server}: port-forward to ${namespace}/${pod}:${port}: ${oneLine(e)}`);
    }
  }
}
