/**
 * A deliberately hostile API stand-in for the secret-leak test: it answers with the status a request asks
 * for (header `x-scenario`) and echoes the credentials it received back into error bodies, headers and
 * even the request id, the way a misconfigured proxy might.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  url: string;
  /** Requests received, by scenario. */
  seen: string[];
  close(): Promise<void>;
}

function echoOf(req: IncomingMessage): string {
  return `api-key=${req.headers['api-key'] ?? ''} authorization=${req.headers.authorization ?? ''}`;
}

function answer(req: IncomingMessage, res: ServerResponse, scenario: string): void {
  const echo = echoOf(req);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-echo-credentials': echo.replace(/[^\x20-\x7e]/g, '?'),
    'x-request-id': scenario === 'echo-request-id' ? echo : 'req-1',
    'x-ratelimit-resource-limit': '1000',
    'x-ratelimit-resource-remaining': scenario === 'quota-spent' ? '0' : '999',
    'x-ratelimit-resource-until': new Date(Date.now() + 3_600_000).toUTCString(),
  };
  if (scenario === 'drop') {
    req.socket.destroy();
    return;
  }
  if (scenario === 'hang') return; // never answers: the client's timeout or abort must end it
  if (scenario === 'not-json') {
    res.writeHead(200, { ...headers, 'content-type': 'text/html' });
    res.end(`<html>proxy error for ${echo}</html>`);
    return;
  }
  if (scenario === 'not-json-error') {
    res.writeHead(502, { ...headers, 'content-type': 'text/plain' });
    res.end(`bad gateway; you sent ${echo}`);
    return;
  }
  if (req.url?.includes('/chats/history')) {
    res.writeHead(200, headers);
    res.end('{"status":"OK","result":{"messages":[]}}');
    return;
  }
  const status = /^\d{3}$/.test(scenario) ? Number(scenario) : scenario === 'echo-request-id' ? 401 : 200;
  if (status === 200) {
    res.writeHead(200, headers);
    res.end(`{"status":"OK","result":{"chatId":1,"note":"${echo.replace(/"/g, '')}"}}`);
    return;
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({ status: 'ERROR', errors: [{ code: 'ECHO', message: `you sent ${echo}` }] }));
}

export async function startHostileServer(): Promise<HostileServer> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      // Clients that cannot set headers (the CLI) choose the status through a 3-digit business id.
      const fromPath = /\/businesses\/(\d{3})\//.exec(req.url ?? '')?.[1];
      const scenario = String(req.headers['x-scenario'] ?? fromPath ?? '200');
      seen.push(scenario);
      answer(req, res, scenario);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
