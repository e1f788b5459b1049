import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetReport } from '../../src/model/report.js';
import type { RunManifest } from '../../src/model/run.js';
import { startK8sStub, stubPod, type StubCluster } from '../helpers/k8s-stub.js';
import { startMetricServer } from '../helpers/metric-servers.js';
import { CHROMIUM, launchChromium, openPage, screenshot } from '../helpers/browser.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { everything } from '../helpers/all-files.js';
import { commandUntilHeaps, storedHeaps, until } from '../helpers/wait.js';
import { runBuiltCli } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';
import { startWorkload, type Workload } from '../helpers/workload.js';

/**
 * `--k8s` against a stub of the Kubernetes API (test/helpers/k8s-stub.ts:
 * HTTPS, bearer token, namespaces, deployments, pods, WebSocket
 * port-forward) whose pods are real example workloads: the official client
 * library does the talking, over real HTTP and WebSocket.
 */
const ready = hasTool('go') && hasTool('openssl', ['version']);
const NS = 'olmv1-system';
const LABELS = { 'app.kubernetes.io/name': 'operator-controller' };
const tmp = (): string => mkdtempSync(join(tmpdir(), 'heaplens-k8s-'));
const backend = (w: Workload): string => w.url.replace('http://', '');

const stored = storedHeaps;

function manifest(dir: string): RunManifest {
  return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
}


describe.runIf(ready)('Kubernetes targets through the API (stub cluster, real workloads)', () => {
  let pki: Pki;
  let cluster: StubCluster;
  const workloads: Workload[] = [];
  const start = async (mode: string): Promise<Workload> => {
    const w = await startWorkload(mode);
    workloads.push(w);
    return w;
  };
  beforeAll(async () => {
    pki = makePki();
    cluster = await startK8sStub(pki);
  });
  afterAll(async () => {
    for (const w of workloads) w.stop();
    await cluster?.close();
  });

  function deploy(name: string, pods: ReturnType<typeof stubPod>[]): void {
    cluster.namespaces.add(NS);
    cluster.deployments.set(`${NS}/${name}`, { namespace: NS, name, matchLabels: { ...LABELS, 'heaplens.test/deployment': name }, replicas: pods.length, available: pods.length });
    cluster.pods.set(NS, [...(cluster.pods.get(NS) ?? []).filter((p) => p.labels['heaplens.test/deployment'] !== name), ...pods]);
  }
  const labels = (deployment: string): Record<string, string> => ({ ...LABELS, 'heaplens.test/deployment': deployment });

  it('collects every ready replica of a deployment, each its own series, through port-forwards', async () => {
    const [a, b] = [await start('plateau'), await start('leak')];
    deploy('two', [stubPod('two-7d9f-aaaaa', labels('two'), backend(a)), stubPod('two-7d9f-bbbbb', labels('two'), backend(b))]);
    const dir = tmp();
    const out = join(dir, 'run');
    const r = await runBuiltCli(['collect', '--k8s', `sim=${NS}/deployment/two:6060`, '--kubeconfig', cluster.kubeconfig(dir), '--out', out, '--interval', '500ms', '--duration', '3s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`k8s: sim-0: pod ${NS}/two-7d9f-aaaaa, port 6060, via ${cluster.url}`);
    const m = manifest(out);
    expect(m.targets.map((t) => t.name)).toEqual(['sim-0', 'sim-1']);
    expect(m.targets[0]!.url).toBe(`k8s://${NS}/deployment/two:6060 (pod two-7d9f-aaaaa at start)`);
    for (const t of ['sim-0', 'sim-1']) expect(m.snapshots.filter((s) => s.target === t && s.kind === 'heap' && s.status === 'ok').length).toBeGreaterThanOrEqual(5);
    // Through the API: the deployment's own selector, and a port-forward stream to each pod (one per connection; kept-alive connections are reused).
    expect(cluster.requests).toContain(`GET /apis/apps/v1/namespaces/${NS}/deployments/two`);
    expect(cluster.requests.some((q) => q.startsWith(`GET /api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io%2Fname%3Doperator-controller%2Cheaplens.test%2Fdeployment%3Dtwo`))).toBe(true);
    for (const pod of ['two-7d9f-aaaaa', 'two-7d9f-bbbbb']) expect(cluster.requests).toContain(`UPGRADE /api/v1/namespaces/${NS}/pods/${pod}/portforward?ports=6060`);
    // The token is nowhere in the run.
    expect(everything(out)).not.toContain(cluster.token);
    // Analysed like any run: one target per replica.
    const report = await runBuiltCli(['analyze', out, '--format', 'json', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const targets = (JSON.parse(report.stdout) as { targets: { name: string; series: unknown[] }[] }).targets;
    expect(targets.map((t) => [t.name, t.series.length >= 5])).toEqual([['sim-0', true], ['sim-1', true]]);
  });

  it('a container restart (OOMKilled) is recorded with its reason and exit code; the series continues; analysis judges each lifetime', async () => {
    const w = await start('leak');
    deploy('one', [stubPod('one-5c4b-ccccc', labels('one'), backend(w))]);
    const dir = tmp();
    const out = join(dir, 'run');
    const collecting = runBuiltCli(['collect', '--k8s', `sim=${NS}/deployment/one`, '--kubeconfig', cluster.kubeconfig(dir), '--out', out, '--interval', '300ms', '--duration', '9s', '--max-failures', '10', '--gc']);
    await until('12 snapshots before the restart', () => stored(out, 'sim') >= 12);
    // The kubelet's view of an OOM kill: the process dies, a new container starts in the same pod.
    w.stop();
    const again = await start('leak');
    const pod = cluster.pods.get(NS)!.find((p) => p.name === 'one-5c4b-ccccc')!;
    Object.assign(pod, { backend: backend(again), restartCount: 1, lastTermination: { reason: 'OOMKilled', exitCode: 137 } });
    const r = await collecting;
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(out);
    const restart = m.events.find((e) => e.kind === 'pod-restarted');
    expect(restart, JSON.stringify(m.events)).toBeDefined();
    expect(restart!.pod).toEqual({ name: 'one-5c4b-ccccc', previous: 'one-5c4b-ccccc', reason: 'OOMKilled', exitCode: 137, restartCount: 1 });
    expect(restart!.message).toBe('container restarted in pod one-5c4b-ccccc (restart 1): OOMKilled, exit code 137');
    // Snapshots after the restart come from the new container.
    const after = m.snapshots.filter((s) => s.kind === 'heap' && s.status === 'ok' && s.t > restart!.t);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(out, 'collector.log'))).toBe(true);
    expect(readFileSync(join(out, 'collector.log'), 'utf8')).toContain('OOMKilled, exit code 137');

    // Analysis: the restart is in the report, the series is judged lifetime by lifetime, no phase spans the restart.
    const a = await runBuiltCli(['analyze', out, '--format', 'json,md,html']);
    expect(a.code, a.stderr).toBe(0);
    const t = (JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { targets: TargetReport[] }).targets[0]!;
    expect(t.restarts).toHaveLength(1);
    expect(t.restarts[0]).toMatchObject({ kind: 'pod-restarted', pod: 'one-5c4b-ccccc', reason: 'OOMKilled', exitCode: 137 });
    const cut = t.restarts[0]!.index;
    expect(cut).toBeGreaterThan(0);
    expect(t.lifetimes.map((l) => [l.startIndex < cut, l.endIndex < cut])).toEqual([[true, true], [false, false]]);
    expect(t.lifetimes[0]!.endedBy).toBe('OOMKilled');
    for (const p of t.phases) expect(p.startIndex < cut === p.endIndex < cut, `${p.kind} ${p.startIndex}-${p.endIndex} spans ${cut}`).toBe(true);
    expect(t.keyFinding).toMatch(/The process restarted 1 time: OOMKilled \(exit 137\) at \+\d+s; each of the 2 lifetimes was judged on its own\./);
    // Both containers run the leak mode: no lifetime, and so no verdict, may say "no-leak" (a few seconds cannot rule
    // growth out), and the verdict's window lies inside one lifetime.
    expect(t.lifetimes.map((l) => l.verdict)).not.toContain('no-leak');
    expect(t.verdict.kind).not.toBe('no-leak');
    if (t.verdict.startIndex >= 0) expect(t.verdict.startIndex < cut === t.verdict.endIndex < cut).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('| container restarted in pod one-5c4b-ccccc (restart 1): OOMKilled, exit code 137 | OOMKilled | 137 |');
    const page = readFileSync(join(out, 'report.html'), 'utf8');
    expect(page).toContain('"restarts":[{"label":"restart: OOMKilled (exit 137)"');
    if (hasTool(CHROMIUM, ['--version'])) {
      // The memory chart draws the restart where it happened.
      const browser = await launchChromium();
      try {
        const { page: tab, problems } = await openPage(browser, join(out, 'report.html'));
        await tab.waitForSelector('body[data-ready="true"]');
        const label = await tab.locator('[data-chart="memory"]').getAttribute('aria-label');
        expect(label).toMatch(/restarts: restart: OOMKilled \(exit 137\) at \+\d+s$/);
        await screenshot(tab, 'report-k8s-oomkilled');
        expect(problems).toEqual({ console: [], dialogs: [], requests: [] });
      } finally {
        await browser.close();
      }
    }
  });

  it('a replaced pod: the series continues on the new pod, the event names both', async () => {
    const w = await start('plateau');
    deploy('rep', [stubPod('rep-66aa-ddddd', labels('rep'), backend(w))]);
    const dir = tmp();
    const out = join(dir, 'run');
    const collecting = runBuiltCli(['collect', '--k8s', `sim=${NS}/deployment/rep`, '--kubeconfig', cluster.kubeconfig(dir), '--out', out, '--interval', '400ms', '--duration', '6s', '--max-failures', '10', '--quiet']);
    await until('3 snapshots before the replacement', () => stored(out, 'sim') >= 3);
    const next = await start('plateau');
    const old = cluster.pods.get(NS)!.find((p) => p.name === 'rep-66aa-ddddd')!;
    old.lastTermination = { reason: 'Error', exitCode: 2 };
    cluster.pods.set(NS, [...cluster.pods.get(NS)!.filter((p) => p !== old), stubPod('rep-66aa-eeeee', labels('rep'), backend(next))]);
    w.stop();
    const r = await collecting;
    expect(r.code, r.stderr).toBe(0);
    const m = manifest(out);
    const replaced = m.events.find((e) => e.kind === 'pod-replaced');
    expect(replaced, JSON.stringify(m.events)).toBeDefined();
    expect(replaced!.pod).toMatchObject({ name: 'rep-66aa-eeeee', previous: 'rep-66aa-ddddd' });
    expect(m.snapshots.filter((s) => s.kind === 'heap' && s.status === 'ok' && s.t > replaced!.t).length).toBeGreaterThanOrEqual(2);
    expect(cluster.requests).toContain(`UPGRADE /api/v1/namespaces/${NS}/pods/rep-66aa-eeeee/portforward?ports=6060`);
  });

  it.runIf(hasTool('prometheus', ['--version']))('with --prometheus: the container\'s working set, RSS and memory limit of the series\' pods, then time to limit', async () => {
    const w = await start('leak');
    const pod = 'prom-5f6g-aaaaa';
    deploy('prom', [stubPod(pod, labels('prom'), backend(w))]);
    const dir = tmp();
    // cAdvisor and kube-state-metrics stand-ins: recording rules in a real Prometheus scraping the workload.
    const rules = join(dir, 'cluster-metrics.yaml');
    const podLabels = `namespace: ${NS}\n      pod: ${pod}\n      container: manager`;
    writeFileSync(
      rules,
      `groups:\n- name: cluster\n  interval: 1s\n  rules:\n` +
        `  - record: container_memory_working_set_bytes\n    expr: process_resident_memory_bytes\n    labels:\n      ${podLabels}\n` +
        `  - record: container_memory_rss\n    expr: process_resident_memory_bytes * 0.5\n    labels:\n      ${podLabels}\n` +
        `  - record: container_memory_working_set_bytes\n    expr: process_resident_memory_bytes * 1000\n    labels:\n      namespace: other\n      pod: ${pod}\n      container: manager\n` +
        `  - record: kube_pod_container_resource_limits\n    expr: vector(268435456)\n    labels:\n      ${podLabels}\n      resource: memory\n      unit: byte\n`,
    );
    const prometheus = await startMetricServer('prometheus', backend(w), { ruleFiles: [rules] });
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const out = join(dir, 'run');
      const r = await runBuiltCli(['collect', '--k8s', `sim=${NS}/deployment/prom`, '--kubeconfig', cluster.kubeconfig(dir), '--out', out, '--interval', '500ms', '--duration', '4s', '--prometheus', prometheus.url, '--quiet', '--gc']);
      expect(r.code, r.stderr).toBe(0);
      const samples = readFileSync(join(out, 'sim', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { name: string; value: number; labels: Record<string, string> });
      const ws = samples.filter((x) => x.name === 'container_memory_working_set_bytes');
      const rss = samples.filter((x) => x.name === 'process_resident_memory_bytes');
      expect(ws.length).toBeGreaterThan(2);
      // The namespace is part of the query: the other namespace's 1000x series is not what came back.
      expect(Math.max(...ws.map((x) => x.value))).toBeLessThan(2 * Math.max(...rss.map((x) => x.value)));
      expect(samples.filter((x) => x.name === 'container_memory_rss').length).toBeGreaterThan(2);
      expect(samples.find((x) => x.name === 'kube_pod_container_resource_limits')).toMatchObject({ value: 268435456, labels: { resource: 'memory' } });
      const a = await runBuiltCli(['analyze', out, '--format', 'json', '--json']);
      expect(a.code, a.stderr).toBe(0);
      const t = (JSON.parse(a.stdout) as { targets: TargetReport[] }).targets[0]!;
      expect(t.memoryLimit).toMatchObject({ bytes: 268435456, source: 'kube_pod_container_resource_limits' });
      expect(t.thresholds!.metric).toBe('container_memory_working_set_bytes');
    } finally {
      prometheus.stop();
    }
  });

  it('run --k8s -- CMD (reports at the end) and start/stop --k8s', async () => {
    const w = await start('plateau');
    deploy('bg', [stubPod('bg-9z8y-ggggg', labels('bg'), backend(w))]);
    const dir = tmp();
    const kubeconfig = cluster.kubeconfig(dir);
    const ran = await runBuiltCli(['run', '--k8s', `op=${NS}/deployment/bg`, '--kubeconfig', kubeconfig, '--out', join(dir, 'run'), '--interval', '300ms', '--quiet', '--', ...commandUntilHeaps(join(dir, 'run'), 3)]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(manifest(join(dir, 'run')).targets.map((t) => t.name)).toEqual(['op']);
    for (const f of ['report.html', 'report.md', 'report.json']) expect(existsSync(join(dir, 'run', f)), f).toBe(true);

    const bg = join(dir, 'bg');
    const started = await runBuiltCli(['start', '--k8s', `op=${NS}/deployment/bg`, '--kubeconfig', kubeconfig, '--out', bg, '--interval', '300ms']);
    expect(started.code, started.stderr).toBe(0);
    await until('3 snapshots in the background', () => stored(bg, 'op') >= 3);
    const stopped = await runBuiltCli(['stop', bg]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const m = manifest(bg);
    expect(m.status).toBe('complete');
    expect(m.snapshots.filter((x) => x.target === 'op' && x.status === 'ok').length).toBeGreaterThanOrEqual(3);
    // A bad kubeconfig is refused before anything goes to the background.
    const refused = await runBuiltCli(['start', '--k8s', `op=${NS}/deployment/bg`, '--kubeconfig', join(dir, 'missing'), '--out', join(dir, 'never')]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--kubeconfig: .*missing: no such file/);
  });

  it('in a pod: the service account and KUBERNETES_SERVICE_HOST/PORT, without any kubeconfig', async () => {
    const w = await start('plateau');
    deploy('incluster', [stubPod('incluster-1-hhhhh', labels('incluster'), backend(w))]);
    const dir = tmp();
    const mount = join(dir, 'root');
    const sa = join(mount, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), cluster.token);
    writeFileSync(join(sa, 'ca.crt'), readFileSync(pki.ca));
    writeFileSync(join(sa, 'namespace'), NS);
    const port = new URL(cluster.url).port;
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port, HEAPLENS_SERVICEACCOUNT_ROOT: mount };
    delete env.KUBECONFIG;
    const r = await runBuiltCli(['collect', '--k8s', `op=${NS}/deployment/incluster`, '--out', join(dir, 'run'), '--interval', '300ms', '--duration', '1200ms'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`k8s: op: pod ${NS}/incluster-1-hhhhh, port 6060, via https://127.0.0.1:${port}`);
    expect(stored(join(dir, 'run'), 'op')).toBeGreaterThanOrEqual(2);
  });

  it('a label selector and $HEAPLENS_K8S (operator-controller\'s name:namespace:deployment:port form)', async () => {
    const w = await start('plateau');
    deploy('sel', [stubPod('sel-1a2b-fffff', labels('sel'), backend(w))]);
    const dir = tmp();
    const bySelector = await runBuiltCli(['collect', '--k8s', `s=${NS}/heaplens.test/deployment=sel`, '--kubeconfig', cluster.kubeconfig(dir), '--out', join(dir, 'a'), '--interval', '300ms', '--duration', '1200ms', '--quiet']);
    expect(bySelector.code, bySelector.stderr).toBe(0);
    expect(manifest(join(dir, 'a')).targets.map((t) => t.name)).toEqual(['s']);
    const env = { ...process.env, HEAPLENS_K8S: `ctl:${NS}:sel:6060` };
    const byEnv = await runBuiltCli(['collect', '--kubeconfig', cluster.kubeconfig(dir), '--out', join(dir, 'b'), '--interval', '300ms', '--duration', '1200ms', '--quiet'], env);
    expect(byEnv.code, byEnv.stderr).toBe(0);
    expect(manifest(join(dir, 'b')).targets.map((t) => t.name)).toEqual(['ctl']);
  });

  it('waits for a namespace and a deployment that appear, with progress; gives up after --k8s-wait with one line', async () => {
    const w = await start('plateau');
    const dir = tmp();
    const collecting = runBuiltCli(['collect', '--k8s', 'late=late-ns/deployment/late', '--kubeconfig', cluster.kubeconfig(dir), '--out', join(dir, 'run'), '--interval', '300ms', '--duration', '1s', '--k8s-wait', '20s']);
    const asked = (path: string): number => cluster.requests.filter((q) => q === `GET ${path}`).length;
    await until('two looks for the namespace', () => asked('/api/v1/namespaces/late-ns') >= 2);
    cluster.namespaces.add('late-ns');
    await until('two looks for the deployment', () => asked('/apis/apps/v1/namespaces/late-ns/deployments/late') >= 2);
    cluster.deployments.set('late-ns/late', { namespace: 'late-ns', name: 'late', matchLabels: { app: 'late' }, replicas: 1, available: 1 });
    cluster.pods.set('late-ns', [stubPod('late-0', { app: 'late' }, backend(w))]);
    const r = await collecting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('k8s: waiting for --k8s late: namespace late-ns (up to 20 s)');
    expect(r.stderr).toContain('k8s: waiting for --k8s late: deployment late-ns/late to be available (up to 20 s)');

    const never = await runBuiltCli(['collect', '--k8s', 'x=nowhere/deployment/x', '--kubeconfig', cluster.kubeconfig(dir), '--out', join(dir, 'never'), '--k8s-wait', '2s', '--quiet']);
    expect(never.code).toBe(3);
    expect(never.stderr).toBe('heaplens: --k8s x: namespace nowhere: still not there after 2 s (--k8s-wait)\n');
  });

  it.each([
    [['--k8s', 'bad'], 2, /--k8s: expected NAME=NAMESPACE\/deployment\/DEPLOY\[:PORT\] or NAME=NAMESPACE\/SELECTOR\[:PORT\], got "bad"/],
    [['--k8s', 'a=Bad_NS/deployment/x'], 2, /--k8s a: "Bad_NS" is not a namespace name/],
    [['--k8s', 'a=ns/deployment/x:99999'], 2, /--k8s a: port "99999" is not a port number/],
    [['--k8s', 'a=ns/deployment/x', '--kubeconfig', '/nonexistent/kubeconfig'], 3, /--kubeconfig: \/nonexistent\/kubeconfig: no such file/],
  ])('bad input %j: one line, exit %i', async (args, code, message) => {
    const r = await runBuiltCli(['collect', ...args, '--out', join(tmp(), 'run')]);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('a wrong token or context: one line naming the server and the status', async () => {
    const dir = tmp();
    const denied = await runBuiltCli(['collect', '--k8s', `x=${NS}/deployment/two`, '--kubeconfig', cluster.kubeconfig(dir, { token: 'wrong' }), '--out', join(dir, 'a'), '--quiet']);
    expect(denied.code).toBe(3);
    expect(denied.stderr).toBe(`heaplens: ${cluster.url}: reading namespace ${NS}: HTTP 401: Unauthorized\n`);
    const noContext = await runBuiltCli(['collect', '--k8s', `x=${NS}/deployment/two`, '--kubeconfig', cluster.kubeconfig(dir), '--context', 'prod', '--out', join(dir, 'b')]);
    expect(noContext.code).toBe(3);
    expect(noContext.stderr).toBe('heaplens: --context: no context "prod" in the kubeconfig (it has: stub)\n');
  });
});
