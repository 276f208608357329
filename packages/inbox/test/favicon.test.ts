/** The tab's icon: the shell links it, and it is served from memory like the bundle, as SVG. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/inbox-server.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

it('links a favicon from the page shell and serves it as SVG, cached like the bundle', async () => {
  const shell = await (await fetch(h.url)).text();
  const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/.exec(shell)?.[1];
  expect(href).toMatch(/^\/assets\/favicon\.svg\?v=\w+$/);
  const icon = await fetch(`${h.url}${href}`);
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  expect(icon.headers.get('cache-control')).toContain('immutable');
  expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
});
