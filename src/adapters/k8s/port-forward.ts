import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { KubeApi } from './kube-api.js';

/**
 * A local TCP port (127.0.0.1) whose connections are carried to a pod's
 * port through the Kubernetes API, one port-forward stream per connection,
 * as `kubectl port-forward` does. The pod can be switched (a replacement
 * pod) without the local address changing, so the collector's target URL
 * stays the same for the whole series.
 */
export class PortForwardProxy {
  private pod: string | null;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly api: KubeApi,
    private readonly namespace: string,
    private readonly port: number,
    pod: string,
    private readonly server: Server,
  ) {
    this.pod = pod;
  }

  static async start(api: KubeApi, namespace: string, port: number, pod: string): Promise<PortForwardProxy> {
    const server = createServer();
    const proxy = new PortForwardProxy(api, namespace, port, pod, server);
    server.on('connection', (socket) => void proxy.carry(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get currentPod(): string | null {
    return this.pod;
  }

  /** Later connections go to `pod`; null refuses them (no ready pod). Connections in flight keep their stream. */
  setPod(pod: string | null): void {
    this.pod = pod;
  }

  private async carry(socket: Socket): Promise<void> {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const pod = this.pod;
    if (pod === null) {
      socket.destroy();
      return;
    }
    // Hold the client's bytes until the stream is open (the client may send its request at once).
    socket.pause();
    try {
      const ws = await this.api.portForward(this.namespace, pod, this.port, socket);
      // The client library does not end the local socket when the stream closes: do it here, both ways.
      ws.on('close', () => socket.end());
      socket.on('close', () => ws.close());
      socket.resume();
    } catch {
      // The scrape on this connection fails and is recorded as such by the collector.
      socket.destroy();
    }
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
