import type { K8sTargetSpec } from '../../model/k8s.js';
import type { RunEvent } from '../../model/run.js';
import type { CollectTarget } from '../collector.js';
import { K8sError } from './k8s-error.js';
import type { KubeApi, PodInfo } from './kube-api.js';
import { PortForwardProxy } from './port-forward.js';

export interface K8sClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface K8sStartOptions {
  /** How long to wait for the namespace, the deployment to be available, and a ready pod. */
  readonly waitMs: number;
  /** How often to look again while waiting. */
  readonly pollMs: number;
  readonly clock: K8sClock;
  readonly signal: AbortSignal;
  /** Progress while waiting, one line each. */
  readonly log: (message: string) => void;
}

/** One series: a replica of a workload, followed across container restarts and pod replacements. */
interface Slot {
  readonly target: string;
  readonly spec: K8sTargetSpec;
  readonly selector: string;
  readonly proxy: PortForwardProxy;
  pod: PodInfo;
}

/** A series and the namespace of its pods. */
export interface K8sTargetInfo {
  readonly target: string;
  readonly namespace: string;
}

/**
 * The pods of `--k8s` workloads as collector targets. Waits for each
 * namespace, deployment and ready pods; every ready pod becomes a series
 * (`NAME` for one replica, `NAME-0`, `NAME-1`... for several), reached
 * through its own local port-forward. `poll()` looks at the pods again: a
 * container restart (restartCount up) or a replaced pod becomes an event with
 * what ended the previous container (OOMKilled, exit code), and the series
 * continues on the new container or pod.
 */
export class K8sTargets {
  private readonly pending = new Map<string, RunEvent[]>();
  private readonly announced = new Set<string>();
  /** The pods each series has run on, when it has run on more than one. */
  private readonly history = new Map<string, string[]>();

  private constructor(
    private readonly api: KubeApi,
    private readonly slots: Slot[],
    private readonly clock: K8sClock,
    private readonly log: (message: string) => void,
  ) {}

  static async start(api: KubeApi, specs: readonly K8sTargetSpec[], options: K8sStartOptions): Promise<K8sTargets> {
    const slots: Slot[] = [];
    try {
      for (const spec of specs) {
        const selector = await waitForWorkload(api, spec, options);
        const pods = await waitForReadyPods(api, spec, selector, options);
        for (const [i, pod] of pods.entries()) {
          const target = pods.length === 1 ? spec.name : `${spec.name}-${i}`;
          slots.push({ target, spec, selector, pod, proxy: await PortForwardProxy.start(api, spec.namespace, spec.port, pod.name) });
          options.log(`${target}: pod ${spec.namespace}/${pod.name}, port ${spec.port}, via ${api.server}`);
        }
      }
    } catch (e) {
      await Promise.all(slots.map((s) => s.proxy.close()));
      throw e;
    }
    return new K8sTargets(api, slots, options.clock, options.log);
  }

  get targets(): CollectTarget[] {
    return this.slots.map((s) => ({ name: s.target, url: s.proxy.url, label: `k8s://${s.spec.namespace}/${s.spec.deployment !== null ? `deployment/${s.spec.deployment}` : s.selector}:${s.spec.port} (pod ${s.pod.name} at start)` }));
  }

  get info(): K8sTargetInfo[] {
    return this.slots.map((s) => ({ target: s.target, namespace: s.spec.namespace }));
  }

  /** Every pod name each series has run on so far. */
  podsOf(target: string): string[] {
    return this.history.get(target) ?? this.slots.filter((s) => s.target === target).map((s) => s.pod.name);
  }

  /** Events found by poll() for `target` since the last call. */
  drain(target: string): RunEvent[] {
    const events = this.pending.get(target) ?? [];
    this.pending.delete(target);
    return events;
  }

  private emit(slot: Slot, kind: RunEvent['kind'], message: string, pod: NonNullable<RunEvent['pod']>): void {
    const list = this.pending.get(slot.target) ?? [];
    list.push({ t: this.clock.now(), target: slot.target, kind, message, pod });
    this.pending.set(slot.target, list);
    this.log(`${slot.target}: ${message}`);
  }

  /** Looks at every workload's pods once: restarts, replacements, replicas that came or went. */
  async poll(): Promise<void> {
    const bySelector = new Map<string, PodInfo[]>();
    for (const slot of this.slots) {
      const key = `${slot.spec.namespace}\u0000${slot.selector}`;
      let pods = bySelector.get(key);
      if (!pods) {
        try {
          pods = await this.api.pods(slot.spec.namespace, slot.selector, slot.spec.port);
        } catch (e) {
          this.log(`${slot.target}: ${(e as K8sError).message}`);
          continue;
        }
        bySelector.set(key, pods);
      }
      this.update(slot, pods);
    }
    for (const [key, pods] of bySelector) {
      const taken = new Set(this.slots.map((s) => s.pod.name));
      for (const p of pods) {
        const id = `${key}\u0000${p.name}`;
        if (p.ready && !taken.has(p.name) && !this.announced.has(id)) {
          this.announced.add(id);
          this.log(`pod ${p.name} is not collected: it came up during the run and no series is without a pod (scaled up?)`);
        }
      }
    }
  }

  private update(slot: Slot, pods: readonly PodInfo[]): void {
    const now = pods.find((p) => p.name === slot.pod.name && p.uid === slot.pod.uid);
    if (now && !now.terminating) {
      if (now.restartCount > slot.pod.restartCount) {
        const t = now.lastTermination;
        const why = t ? `${t.reason ?? 'terminated'}${t.exitCode !== null ? `, exit code ${t.exitCode}` : ''}` : 'reason unknown';
        this.emit(slot, 'pod-restarted', `container restarted in pod ${now.name} (restart ${now.restartCount}): ${why}`, {
          name: now.name,
          previous: now.name,
          reason: t?.reason ?? null,
          exitCode: t?.exitCode ?? null,
          restartCount: now.restartCount,
        });
      }
      slot.pod = now;
      return;
    }
    // The pod is gone or going: continue on a ready pod no other series has, the newest first.
    const taken = new Set(this.slots.map((s) => s.pod.name));
    const next = pods.filter((p) => p.ready && !p.terminating && !taken.has(p.name)).sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!next) {
      if (slot.proxy.currentPod !== null) this.log(`${slot.target}: pod ${slot.pod.name} is ${now ? 'terminating' : 'gone'}; waiting for a replacement`);
      slot.proxy.setPod(null);
      return;
    }
    const t = now?.lastTermination ?? slot.pod.lastTermination;
    this.emit(slot, 'pod-replaced', `pod ${slot.pod.name} replaced by ${next.name}${now ? ' (terminating)' : ' (deleted)'}${t?.reason ? `; its last container ended: ${t.reason}${t.exitCode !== null ? `, exit code ${t.exitCode}` : ''}` : ''}`, {
      name: next.name,
      previous: slot.pod.name,
      reason: t?.reason ?? null,
      exitCode: t?.exitCode ?? null,
      restartCount: next.restartCount,
    });
    this.history.set(slot.target, [...this.podsOf(slot.target), next.name]);
    slot.pod = next;
    slot.proxy.setPod(next.name);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.proxy.close()));
  }
}

async function waitFor<T>(what: string, options: K8sStartOptions, probe: () => Promise<T | null>): Promise<T> {
  const deadline = options.clock.now() + options.waitMs;
  let said = false;
  for (;;) {
    const found = await probe();
    if (found !== null) return found;
    if (options.signal.aborted) throw new K8sError(`${what}: interrupted while waiting`);
    if (options.clock.now() >= deadline) throw new K8sError(`${what}: still not there after ${Math.round(options.waitMs / 1000)} s (--k8s-wait)`);
    if (!said) options.log(`waiting for ${what} (up to ${Math.round(options.waitMs / 1000)} s)`);
    said = true;
    await options.clock.sleep(options.pollMs, options.signal);
  }
}

/** The namespace, and for a deployment: that it exists and is available. Returns the label selector of its pods. */
async function waitForWorkload(api: KubeApi, spec: K8sTargetSpec, options: K8sStartOptions): Promise<string> {
  await waitFor(`--k8s ${spec.name}: namespace ${spec.namespace}`, options, async () => ((await api.namespaceExists(spec.namespace)) ? true : null));
  if (spec.deployment === null) return spec.selector!;
  const d = await waitFor(`--k8s ${spec.name}: deployment ${spec.namespace}/${spec.deployment} to be available`, options, async () => {
    const found = await api.deployment(spec.namespace, spec.deployment!);
    return found && found.availableReplicas > 0 ? found : null;
  });
  if (d.selector === '') throw new K8sError(`--k8s ${spec.name}: deployment ${spec.namespace}/${spec.deployment} has an empty selector`);
  return d.selector;
}

async function waitForReadyPods(api: KubeApi, spec: K8sTargetSpec, selector: string, options: K8sStartOptions): Promise<PodInfo[]> {
  return waitFor(`--k8s ${spec.name}: a ready pod in ${spec.namespace} matching ${selector}`, options, async () => {
    const ready = (await api.pods(spec.namespace, selector, spec.port)).filter((p) => p.ready && !p.terminating).sort((a, b) => (a.name < b.name ? -1 : 1));
    return ready.length > 0 ? ready : null;
  });
}
