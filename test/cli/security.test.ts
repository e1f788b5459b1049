import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunManifest } from '../../src/model/run.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { everything } from '../helpers/all-files.js';
import { runBuiltCli } from '../helpers/run-cli.js';
import { hasTool } from '../helpers/tools.js';

/**
 * Targets behind HTTPS and authentication, as pprof endpoints of real
 * services often are: a CA, a server certificate for 127.0.0.1 and a client
 * certificate made with openssl for each run, a bearer token the server
 * checks. The token must never reach run.json, the collector log, the
 * report, or the terminal.
 */
const TOKEN = 's3cr3t-token-7f9c2e';
const PROFILE = readFileSync(join('test/fixtures/runs/plateau/operator-sim', readdirSync('test/fixtures/runs/plateau/operator-sim').find((f) => f.startsWith('heap-'))!));
const METRICS = 'process_resident_memory_bytes 5.0e+07\ngo_memstats_num_gc 3\n';

function serve(pki: Pki, mutualTls: boolean): Promise<{ url: string; server: Server }> {
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: readFileSync(pki.ca), requestCert: mutualTls, rejectUnauthorized: mutualTls }, (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    if (req.url?.startsWith('/debug/pprof/heap')) res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PROFILE);
    else if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(METRICS);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}


const ready = hasTool('openssl', ['version']);

describe.runIf(ready)('authenticated HTTPS targets', () => {
  let pki: Pki;
  let plain: { url: string; server: Server };
  let mtls: { url: string; server: Server };
  let tokenFile: string;
  beforeAll(async () => {
    pki = makePki();
    plain = await serve(pki, false);
    mtls = await serve(pki, true);
    tokenFile = join(pki.dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
  });
  afterAll(() => {
    plain.server.close();
    mtls.server.close();
  });
  const runDir = (): string => join(mkdtempSync(join(tmpdir(), 'heaplens-tls-')), 'run');
  const collect = (url: string, dir: string, ...flags: string[]) => runBuiltCli(['collect', '--target', `svc=${url}`, '--out', dir, '--interval', '300ms', '--duration', '1s', '--quiet', '--max-failures', '2', ...flags]);

  it('collects with --ca-file and --bearer-token-file; the token appears nowhere heaplens writes', async () => {
    const dir = runDir();
    const r = await collect(plain.url, dir, '--ca-file', pki.ca, '--bearer-token-file', tokenFile);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
    expect(manifest.snapshots.filter((s) => s.status === 'ok' && s.kind === 'heap').length).toBeGreaterThanOrEqual(2);
    const analyzed = await runBuiltCli(['analyze', dir]);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    for (const text of [everything(dir), r.stdout, r.stderr, analyzed.stdout, analyzed.stderr]) expect(text).not.toContain(TOKEN);
  });

  it('--header values are sent but stored redacted', async () => {
    const dir = runDir();
    const r = await collect(plain.url, dir, '--ca-file', pki.ca, '--header', `Authorization: Bearer ${TOKEN}`);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest;
    expect(manifest.commandLine).toContain('Authorization: <redacted>');
    expect(everything(dir)).not.toContain(TOKEN);
  });

  it('verifies certificates by default: an unknown CA is a one-line TLS error, exit 3', async () => {
    const r = await collect(plain.url, runDir(), '--bearer-token-file', tokenFile);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/TLS: .*(self-signed|issuer unknown).*--ca-file/);
    const insecure = await collect(plain.url, runDir(), '--bearer-token-file', tokenFile, '--insecure-skip-verify');
    expect(insecure.code, insecure.stderr).toBe(0);
  });

  it('a wrong token is the target\'s 401, said in one line', async () => {
    const wrong = join(pki.dir, 'wrong-token');
    writeFileSync(wrong, 'nope\n');
    const r = await collect(plain.url, runDir(), '--ca-file', pki.ca, '--bearer-token-file', wrong);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/401/);
    expect(r.stderr).not.toContain('nope');
  });

  it('mutual TLS: refused without a client certificate, collected with --cert/--key', async () => {
    const refused = await collect(mtls.url, runDir(), '--ca-file', pki.ca, '--bearer-token-file', tokenFile);
    expect(refused.code).toBe(3);
    const dir = runDir();
    const ok = await collect(mtls.url, dir, '--ca-file', pki.ca, '--bearer-token-file', tokenFile, '--cert', pki.clientCert, '--key', pki.clientKey);
    expect(ok.code, ok.stderr).toBe(0);
    expect(everything(dir)).not.toContain(readFileSync(pki.clientKey, 'latin1').split('\n')[1]!);
  });

  it.each([
    [['--cert', 'x.pem'], /--cert and --key go together/],
    [['--bearer-token-file', '/nonexistent/token'], /--bearer-token-file: cannot read \/nonexistent\/token \(ENOENT\)/],
    [['--header', 'no colon here'], /--header: expected "Name: value"/],
    [['--ca-file', '/nonexistent/ca.pem'], /--ca-file: cannot read/],
  ])('bad security flags %j: exit 2, one line, nothing collected', async (flags, message) => {
    const dir = runDir();
    const r = await collect(plain.url, dir, ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
