import { createServer, type Server } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pki } from './pki.js';

/**
 * A stand-in for the few Kubernetes API endpoints heaplens uses, written
 * from the API reference: GET namespace, GET deployment (apps/v1), LIST
 * pods with a label selector, and pod port-forward over WebSocket
 * (subprotocol v4.channel.k8s.io: per port a data channel 2i and an error
 * channel 2i+1, each opening with the port number as two little-endian
 * bytes, every message prefixed with its channel byte). It serves HTTPS on
 * 127.0.0.1 and wants a bearer token, as a cluster would. Port-forwards go
 * to real processes (the example workload), one TCP connection per stream.
 */
export interface StubPod {
  name: string;
  uid: string;
  labels: Record<string, string>;
  ready: boolean;
  restartCount: number;
  lastTermination: { reason: string; exitCode: number } | null;
  /** host:port of the process behind the pod's pprof port. */
  backend: string;
  deleting: boolean;
  createdAt: string;
}

export interface StubCluster {
  readonly url: string;
  readonly token: string;
  namespaces: Set<string>;
  deployments: Map<string, { namespace: string; name: string; matchLabels: Record<string, string>; replicas: number; available: number }>;
  pods: Map<string, StubPod[]>;
  /** Requests seen: method, path and query, with upgrades marked. */
  readonly requests: string[];
  /** Writes a kubeconfig for this cluster (certificate-authority-data and token) into `dir`; returns its path. */
  kubeconfig(dir: string, options?: { context?: string; token?: string }): string;
  close(): Promise<void>;
}

const status = (code: number, reason: string, message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });

function matches(labels: Record<string, string>, selector: string): boolean {
  if (selector === '') return true;
  return selector.split(',').every((req) => {
    const [k, v] = req.split('=');
    return labels[k!.trim()] === v?.trim();
  });
}

function podObject(ns: string, p: StubPod): object {
  return {
    metadata: { name: p.name, namespace: ns, uid: p.uid, labels: p.labels, creationTimestamp: p.createdAt, ...(p.deleting ? { deletionTimestamp: new Date().toISOString() } : {}) },
    spec: { containers: [{ name: 'manager', ports: [{ containerPort: 6060, name: 'pprof' }] }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }],
      containerStatuses: [
        {
          name: 'manager',
          ready: p.ready,
          restartCount: p.restartCount,
          image: 'example/operator-sim',
          imageID: '',
          state: { running: { startedAt: p.createdAt } },
          lastState: p.lastTermination ? { terminated: { reason: p.lastTermination.reason, exitCode: p.lastTermination.exitCode, startedAt: p.createdAt, finishedAt: new Date().toISOString() } } : {},
        },
      ],
    },
  };
}

export async function startK8sStub(pki: Pki, token = 'stub-token-s3cr3t'): Promise<StubCluster> {
  const cluster: Omit<StubCluster, 'url' | 'close' | 'kubeconfig'> = { token, namespaces: new Set(), deployments: new Map(), pods: new Map(), requests: [] };
  const authorized = (h: string | undefined): boolean => h === `Bearer ${token}`;
  const server: Server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://stub');
    cluster.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (code: number, body: string): void => void res.writeHead(code, { 'content-type': 'application/json' }).end(body);
    if (!authorized(req.headers.authorization)) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    let m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(url.pathname);
    if (m) {
      return cluster.namespaces.has(m[1]!)
        ? send(200, JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: m[1] }, status: { phase: 'Active' } }))
        : send(404, status(404, 'NotFound', `namespaces "${m[1]}" not found`));
    }
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const d = cluster.deployments.get(`${m[1]}/${m[2]}`);
      if (!d) return send(404, status(404, 'NotFound', `deployments.apps "${m[2]}" not found`));
      return send(
        200,
        JSON.stringify({
          kind: 'Deployment',
          apiVersion: 'apps/v1',
          metadata: { name: d.name, namespace: d.namespace },
          spec: { replicas: d.replicas, selector: { matchLabels: d.matchLabels }, template: { metadata: { labels: d.matchLabels }, spec: { containers: [{ name: 'manager' }] } } },
          status: { replicas: d.replicas, availableReplicas: d.available, readyReplicas: d.available, conditions: [{ type: 'Available', status: d.available > 0 ? 'True' : 'False' }] },
        }),
      );
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (m) {
      const selector = url.searchParams.get('labelSelector') ?? '';
      const items = (cluster.pods.get(m[1]!) ?? []).filter((p) => matches(p.labels, selector)).map((p) => podObject(m![1]!, p));
      return send(200, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }));
    }
    send(404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
  });

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'https://stub');
    cluster.requests.push(`UPGRADE ${url.pathname}${url.search}`);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    const pod = m ? (cluster.pods.get(m[1]!) ?? []).find((p) => p.name === m[2]) : undefined;
    const refuse = (code: number, text: string): void => void socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\n\r\n${status(code, text, text)}`);
    if (!authorized(req.headers.authorization)) return refuse(401, 'Unauthorized');
    if (!pod) return refuse(404, 'NotFound');
    const port = Number(url.searchParams.get('ports'));
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => forward(ws, pod, port));
  });

  function forward(ws: WebSocket, pod: StubPod, port: number): void {
    const portBytes = Buffer.from([port & 0xff, port >> 8]);
    ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
    ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
    const [host, p] = pod.backend.split(':');
    const tcp = connect(Number(p), host!);
    tcp.on('data', (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
    tcp.on('error', (e) => {
      if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port} to pod ${pod.name}: ${e.message}`)]));
      ws.close();
    });
    tcp.on('close', () => ws.close());
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0 && data.length > 1) tcp.write(data.subarray(1));
    });
    ws.on('close', () => tcp.destroy());
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...cluster,
    url,
    kubeconfig(dir, options = {}) {
      const path = join(dir, 'kubeconfig');
      const ca = readFileSync(pki.ca).toString('base64');
      writeFileSync(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: stub',
          '  cluster:',
          `    server: ${url}`,
          `    certificate-authority-data: ${ca}`,
          'users:',
          '- name: heaplens',
          '  user:',
          `    token: ${options.token ?? token}`,
          'contexts:',
          `- name: ${options.context ?? 'stub'}`,
          '  context:',
          '    cluster: stub',
          '    user: heaplens',
          `current-context: ${options.context ?? 'stub'}`,
          '',
        ].join('\n'),
      );
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}



/** A pod of the stub cluster backed by the process at `backend` (host:port). */
export function stubPod(name: string, labels: Record<string, string>, backend: string): StubPod {
  return { name, uid: `uid-${name}-${Math.random().toString(36).slice(2, 8)}`, labels, ready: true, restartCount: 0, lastTermination: null, backend, deleting: false, createdAt: new Date().toISOString() };
}
