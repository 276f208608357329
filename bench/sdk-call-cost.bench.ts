import http from 'node:http';
import { Agent, request } from 'undici';
// The built package, as users run it (`npm run bench` builds first).
import { ChatsApi } from '../packages/sdk/dist/index.js';
import { startFixedServer } from './support/fixed-server.js';

const CALLS_PER_ROUND = 2000;
const ROUNDS = 5;
const CONCURRENCY = 4; // the platform's per-business cap

const chat = (i: number) => ({
  chatId: 1000 + i,
  orderId: 5000 + i,
  context: {
    type: 'ORDER',
    orderId: 5000 + i,
    campaignId: 77,
    customer: { name: 'Покупатель', publicId: `p${i}` },
  },
  type: 'CHAT',
  status: 'WAITING_FOR_PARTNER',
  createdAt: '2026-11-01T10:00:00+03:00',
  updatedAt: '2026-11-20T12:30:00+03:00',
});
const body = JSON.stringify({
  status: 'OK',
  result: { chats: Array.from({ length: 20 }, (_, i) => chat(i)), paging: { nextPageToken: 'abc' } },
});
const fixed = await startFixedServer(body);
const base = fixed.base;
const url = `${base}/v2/businesses/1/chats?limit=20`;
const headers = {
  'api-key': 'bench-api-key',
  'content-type': 'application/json',
  accept: 'application/json',
};

const dispatcher = new Agent({ keepAliveTimeout: 4_000 });
const agent = new http.Agent({ keepAlive: true, timeout: 4_000 });
const sdk = new ChatsApi({ baseUrl: base, apiKey: 'bench-api-key-0000' });

const clients: Record<string, () => Promise<unknown>> = {
  'undici.request (raw)': async () => {
    const res = await request(url, { method: 'POST', headers, body: '{}', dispatcher });
    return JSON.parse(await res.body.text());
  },
  'node:http (raw)': () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': '2' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end('{}');
    }),
  'ym-chats SDK': () => sdk.getChats(1, {}, undefined, 20),
  'fetch (plain)': async () => {
    const res = await fetch(url, { method: 'POST', headers, body: '{}' });
    return res.json();
  },
};

async function round(
  call: () => Promise<unknown>,
  calls: number,
): Promise<{ wallUs: number; cpuUs: number }> {
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next += 1;
      await call();
    }
  };
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wallUs: wall / calls, cpuUs: (used.user + used.system) / calls };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, { wall: number[]; cpu: number[] }> = {};
for (const [name, call] of Object.entries(clients)) {
  await round(call, 500); // warm-up: JIT, connection pools
  results[name] = { wall: [], cpu: [] };
}
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, call] of Object.entries(clients)) {
    const { wallUs, cpuUs } = await round(call, CALLS_PER_ROUND);
    results[name]!.wall.push(wallUs);
    results[name]!.cpu.push(cpuUs);
  }
}
fixed.stop();
await dispatcher.close();
agent.destroy();

const baseline = results['undici.request (raw)']!;
const rows = Object.entries(results).map(([name, r]) => ({
  client: name,
  'µs/call (wall)': median(r.wall).toFixed(1),
  'client CPU µs/call': median(r.cpu).toFixed(1),
  'wall ratio vs undici': (median(r.wall) / median(baseline.wall)).toFixed(2),
  'CPU ratio vs undici': (median(r.cpu) / median(baseline.cpu)).toFixed(2),
}));
console.log(
  `getChats (20 chats, ${body.length} B) — ${ROUNDS} rounds × ${CALLS_PER_ROUND} calls, ${CONCURRENCY} in flight, median round`,
);
console.table(rows);
const ratio = median(results['ym-chats SDK']!.wall) / median(baseline.wall);
console.log(
  `SDK cost per call: ${ratio.toFixed(2)}× raw undici.request (goal ≤ 1.30×) — ${ratio <= 1.3 ? 'met' : 'NOT met'}`,
);
process.exit(0);
