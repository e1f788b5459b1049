import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A GET that failed to produce a response body: the message says why in words. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
}

export interface HttpResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface HttpGetOptions {
  /** For the whole exchange, body included (a target trickling bytes times out too). */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal: AbortSignal;
}

export type HttpGet = (url: string, options: HttpGetOptions) => Promise<HttpResponse>;

/** How to reach targets: extra headers (Authorization...) and TLS material. Verification is on unless turned off. */
export interface HttpClientOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** PEM: CA certificates to trust (in addition to none: a given CA replaces the system's). */
  readonly ca?: string | Buffer;
  /** PEM: client certificate and key, for targets that require mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** false only with --insecure-skip-verify. */
  readonly rejectUnauthorized?: boolean;
}

const TLS_CAUSES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate issuer unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer unknown',
  CERT_HAS_EXPIRED: 'certificate expired',
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate does not name this host",
};

const CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the target',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the target',
};

/**
 * GET with node:http(s) (not fetch, whose blocked-port list refuses some
 * ports targets use), a whole-exchange timeout, a body size cap, and errors
 * in words. Redirects are not followed: a pprof endpoint that redirects is
 * usually a login page.
 */
export function createHttpGet(client: HttpClientOptions = {}): HttpGet {
  const headers = client.headers ?? {};
  const tls = { ca: client.ca, cert: client.cert, key: client.key, rejectUnauthorized: client.rejectUnauthorized ?? true };
  const cause = (e: NodeJS.ErrnoException): string => {
    const code = e.code ?? '';
    if (code in TLS_CAUSES) return `TLS: ${TLS_CAUSES[code]} (${code}); trust its CA with --ca-file`;
    if (/alert|handshake|certificate/i.test(e.message)) return `TLS: ${e.message.split('\n')[0]}`;
    return CAUSES[code] ?? e.message;
  };
  return (url, { timeoutMs, maxBytes, signal }) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const request = url.startsWith('https:') ? httpsRequest : httpRequest;
      let settled = false;
      const finish = (error: Error | null, value?: HttpResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) {
          req.destroy();
          reject(error);
        } else resolve(value!);
      };
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted')));
      const timer = setTimeout(() => finish(new HttpError(`no complete response within ${timeoutMs} ms`)), timeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      const options = { method: 'GET', headers: { 'accept-encoding': 'identity', ...headers }, ...(url.startsWith('https:') ? tls : {}) };
      const req = request(url, options, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) finish(new HttpError(`response larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (!res.complete) return finish(new HttpError('response cut off before its end'));
          finish(null, { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks, size) });
        });
        res.on('aborted', () => finish(new HttpError('response cut off before its end')));
        res.on('error', (e: NodeJS.ErrnoException) => finish(new HttpError(e.code === 'ECONNRESET' ? 'response cut off before its end' : cause(e))));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish(new HttpError(cause(e))));
      req.end();
    });
}
