import type { Command } from 'commander';
import type { CollectTarget, PrometheusSource } from '../adapters/collector.js';
import type { K8sTargets } from '../adapters/k8s/k8s-targets.js';
import type { KubeApi } from '../adapters/k8s/kube-api.js';
import type { K8sTargetSpec } from '../model/k8s.js';
import type { RunEvent } from '../model/run.js';
import { K8S_ENV, parseK8sEnv, parseK8sSpec } from './k8s-spec.js';
import { collectList, duration } from './options.js';
import { UsageError } from './errors.js';
import { sleep } from './sleep.js';

export interface K8sFlags {
  k8s: string[];
  kubeconfig?: string;
  context?: string;
  k8sWait: number;
}


/** Adds the Kubernetes target flags (collect, start and run). */
export function addK8sFlags(cmd: Command): Command {
  return cmd
    .option('--k8s <NAME=NS/deployment/DEPLOY[:PORT]>', `Kubernetes workload to collect from through the API (or NAME=NS/LABEL_SELECTOR[:PORT]; repeatable; also $${K8S_ENV})`, collectList, [])
    .option('--kubeconfig <file>', 'kubeconfig for --k8s (default: $KUBECONFIG, in-cluster config in a pod, else ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context for --k8s (default: the current context)')
    .option('--k8s-wait <duration>', 'how long to wait for a namespace, an available deployment and a ready pod', duration('--k8s-wait'), 120_000);
}

/** The flags' and $HEAPLENS_K8S's targets, checked. */
export function k8sSpecs(flags: K8sFlags, env: NodeJS.ProcessEnv): K8sTargetSpec[] {
  const specs = [...flags.k8s.map((s) => parseK8sSpec(s)), ...parseK8sEnv(env[K8S_ENV])];
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new UsageError(`--k8s: name "${s.name}" given twice`);
    seen.add(s.name);
  }
  return specs;
}

/**
 * The cluster connection, read before anything is created. The Kubernetes
 * client is loaded here, on demand: it takes ~0.8 s and ~70 MB to load,
 * which no command without --k8s should pay.
 */
export async function connectK8s(specs: K8sTargetSpec[], flags: K8sFlags, env: NodeJS.ProcessEnv): Promise<{ specs: K8sTargetSpec[]; api: KubeApi }> {
  const { KubeApi, loadKubeConfig } = await import('../adapters/k8s/kube-api.js');
  return { specs, api: new KubeApi(loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context, env })) };
}

const podRegex = (pods: readonly string[]): string => pods.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/**
 * With --prometheus, the container's own memory for each Kubernetes series:
 * working set and RSS (cAdvisor) and the memory limit (kube-state-metrics,
 * else cAdvisor's), over every pod the series has run on.
 */
export function k8sQueries(k8s: K8sTargets): PrometheusSource['queries'] {
  return k8s.info.flatMap((t) => {
    const sel = (): string => `namespace="${t.namespace}", pod=~"${podRegex(k8s.podsOf(t.target))}"`;
    return [
      { target: t.target, name: 'container_memory_working_set_bytes', query: () => `max(container_memory_working_set_bytes{${sel()}, container!="", container!="POD"})` },
      { target: t.target, name: 'container_memory_rss', query: () => `max(container_memory_rss{${sel()}, container!="", container!="POD"})` },
      { target: t.target, name: 'kube_pod_container_resource_limits', query: () => `max by (resource) (kube_pod_container_resource_limits{${sel()}, resource="memory"})` },
      { target: t.target, name: 'container_spec_memory_limit_bytes', query: () => `max(container_spec_memory_limit_bytes{${sel()}, container!="", container!="POD"}) > 0` },
    ];
  });
}

export interface RunningK8s {
  readonly targets: CollectTarget[];
  readonly queries: PrometheusSource['queries'];
  events(target: string): RunEvent[];
  /** Looks at the pods every `intervalMs` until `signal` aborts. */
  watch(intervalMs: number, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Waits for the workloads and opens their port-forwards. */
export async function startK8s(prepared: { specs: K8sTargetSpec[]; api: KubeApi }, waitMs: number, log: (line: string) => void, signal: AbortSignal): Promise<RunningK8s> {
  const { K8sTargets } = await import('../adapters/k8s/k8s-targets.js');
  const k8s = await K8sTargets.start(prepared.api, prepared.specs, { waitMs, pollMs: 1000, clock: { now: Date.now, sleep }, signal, log });
  return {
    targets: k8s.targets,
    queries: k8sQueries(k8s),
    events: (target) => k8s.drain(target),
    watch: async (intervalMs, stop) => {
      while (!stop.aborted) {
        await sleep(intervalMs, stop);
        if (!stop.aborted) await k8s.poll();
      }
    },
    close: () => k8s.close(),
  };
}
