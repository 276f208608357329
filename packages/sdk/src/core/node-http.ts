/**
 * The default transport: Node's own `http`/`https` with a keep-alive agent. Nothing to load beyond what
 * Node already has, so importing the SDK and making a first call costs little more than a raw request
 * (a cloud function answering from a cold start), and per call it costs about what undici does.
 */
import http from 'node:http';
import type { HttpRequest, HttpResponse, Transport } from './http.js';
import { TransportTimeout } from './http.js';

type Requester = typeof http.request;

/** Sockets idle longer than this are closed by us before a server could close them under a request. */
const IDLE_SOCKET_MS = 4_000;

export function nodeHttpTransport(): Transport {
  const agents = new Map<string, http.Agent>();
  let https: Promise<{ request: Requester; Agent: typeof http.Agent }> | undefined;

  const agentFor = (protocol: string, Agent: typeof http.Agent) => {
    let agent = agents.get(protocol);
    if (!agent) {
      agent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
      agents.set(protocol, agent);
    }
    return agent;
  };

  return (req) => {
    if (req.url.startsWith('https:')) {
      // Loaded on first use: TLS costs a cold start that plain-HTTP callers (tests, proxies) never need.
      https ??= import('node:https').then((m) => ({
        request: m.request as unknown as Requester,
        Agent: m.Agent,
      }));
      return https.then((m) => send(req, m.request, agentFor('https:', m.Agent)));
    }
    return send(req, http.request, agentFor('http:', http.Agent));
  };
}

function send(req: HttpRequest, request: Requester, agent: http.Agent): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = req.headers;
    const body = req.body;
    if (body !== undefined) {
      headers['content-length'] = String(
        typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
      );
    }
    const signal = req.signal;
    let settled = false;
    // A header value Node refuses throws here, before any byte is sent.
    const out = request(req.url, { method: req.method, headers, agent }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        if (!done()) return;
        const resHeaders = res.headers;
        resolve({
          status: res.statusCode ?? 0,
          header(name) {
            const value = resHeaders[name];
            return Array.isArray(value) ? value[0] : value;
          },
          text,
        });
      });
      res.on('error', fail);
    });
    const onAbort = () =>
      out.destroy(Object.assign(new Error('aborted by the caller'), { code: 'ABORT_ERR' }));
    /** Settles once; false when already settled. */
    function done(): boolean {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      return true;
    }
    function fail(error: Error) {
      if (done()) reject(error);
    }
    out.on('error', fail);
    out.on('close', () => fail(Object.assign(new Error('socket closed'), { code: 'ECONNRESET' })));
    if (req.timeoutMs > 0) {
      // Idle time on the socket: no response, or no further body bytes, for this long.
      out.setTimeout(req.timeoutMs, () => {
        out.destroy(new TransportTimeout(`no response within ${req.timeoutMs} ms`));
      });
    }
    if (signal) {
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    out.end(body);
  });
}
