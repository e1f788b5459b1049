import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/** How the fake target answers the next requests (one behaviour per request, the last one repeats). */
export type Behaviour = 'ok' | 'http-500' | 'html' | 'truncated' | 'slow' | 'reset' | 'not-a-profile' | 'trickle';

export interface FaultServer {
  readonly url: string;
  /** Queue behaviours for profile requests. */
  script(...behaviours: Behaviour[]): void;
  /** Replace what /metrics serves (e.g. a new process_start_time_seconds: a restart). */
  setMetrics(text: string): void;
  readonly requests: string[];
  close(): Promise<void>;
}

const HEAP = readFileSync('test/fixtures/runs/leak/operator-sim/heap-000010.pb.gz');
export const METRICS = '# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 5.0e+07\ngo_memstats_heap_inuse_bytes 2.1e+07\nother_metric 1\n';

/** A loopback pprof target whose answers a test scripts: real profiles, or faults. */
export async function startFaultServer(): Promise<FaultServer> {
  const queue: Behaviour[] = ['ok'];
  const requests: string[] = [];
  let metrics = METRICS;
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics);
      return;
    }
    const b = queue.length > 1 ? queue.shift()! : queue[0]!;
    switch (b) {
      case 'ok':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(HEAP);
        return;
      case 'http-500':
        res.writeHead(500);
        res.end('internal error');
        return;
      case 'html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!DOCTYPE html><html><body>Please log in</body></html>');
        return;
      case 'not-a-profile':
        res.writeHead(200);
        res.end('just some text');
        return;
      case 'truncated':
        res.writeHead(200, { 'content-length': String(HEAP.length) });
        res.end(HEAP.subarray(0, HEAP.length >> 1));
        req.socket.destroy();
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'trickle': {
        // Slowloris: headers at once, then one byte of the profile every 50 ms.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        let i = 0;
        const timer = setInterval(() => {
          if (res.destroyed || i >= HEAP.length) return clearInterval(timer);
          res.write(HEAP.subarray(i, ++i));
        }, 50);
        timer.unref();
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'slow':
        setTimeout(() => {
          if (!res.destroyed) res.end(HEAP);
        }, 5_000).unref();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    script: (...b) => queue.splice(0, queue.length, ...b),
    setMetrics: (text) => void (metrics = text),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
