/**
 * A bare node:http server answering every request with one fixed body, used as the baseline load target.
 * Run as a child process: `node --import tsx bench/fixed-server.ts <bodyFile>`; prints its port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = readFileSync(process.argv[2] ?? '/dev/stdin');
const until = new Date(Date.now() + 3_600_000).toUTCString();
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      'x-ratelimit-resource-limit': '1000000',
      'x-ratelimit-resource-remaining': '999999',
      'x-ratelimit-resource-until': until,
    });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
