/**
 * The one rule for client addresses (the push receiver, the inbox, the connection caps): one normal form,
 * IPv6 counted by /64, network lists through node's BlockList with errors that name the entry and the fix,
 * and forwarded headers believed only from trusted proxies — as the stricter of the two old copies had it
 * wherever they differed (sync's receiver and the inbox's own).
 */
import type { IncomingMessage } from 'node:http';
import {
  addressKey,
  clientAddress,
  dropUntrustedForwarding,
  forwardedClient,
  inNetworks,
  NetworkListError,
  normalizeAddress,
  parseNetworks,
  requestHost,
  TrustedProxies,
  UNKNOWN_CLIENT,
} from '@ym-chats/sdk';
import { describe, expect, it } from 'vitest';

describe('normalizeAddress and addressKey', () => {
  it('keeps IPv4 as it is, also behind a port', () => {
    expect(normalizeAddress(' 203.0.113.5 ')).toBe('203.0.113.5');
    expect(normalizeAddress('203.0.113.5:51234')).toBe('203.0.113.5');
    expect(addressKey('203.0.113.5')).toBe('203.0.113.5');
  });

  it('writes IPv6 one way: lower case, no brackets, port or zone', () => {
    expect(normalizeAddress('2001:DB8::1')).toBe('2001:db8::1');
    expect(normalizeAddress('[2001:db8::1]')).toBe('2001:db8::1');
    expect(normalizeAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
  });

  it('takes an IPv4-mapped IPv6 address, dotted or in hex, as the IPv4 client it is', () => {
    expect(normalizeAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('::ffff:a00:1')).toBe('10.0.0.1');
    expect(normalizeAddress('[::ffff:10.0.0.1]:80')).toBe('10.0.0.1');
    expect(addressKey('::ffff:a00:1')).toBe('10.0.0.1');
    // NAT64 is not a mapped address: it stays IPv6.
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('counts IPv6 by its /64, however the address is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const a of ['2001:db8:1:2::7', '2001:DB8:0001:0002:0:0:0:8', '[2001:db8:1:2:ffff::]:8443']) {
      expect(addressKey(a), a).toBe(key);
    }
    expect(addressKey('2001:db8:1:3::1')).not.toBe(key);
  });

  it('leaves what is not an address for the caller to refuse', () => {
    expect(normalizeAddress(' unknown ')).toBe('unknown');
    expect(addressKey('not-an-ip')).toBe('not-an-ip');
  });
});

describe('parseNetworks', () => {
  it('reads CIDRs and single addresses of both families, mapped ones as IPv4', () => {
    const list = parseNetworks(
      ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '::ffff:198.51.100.0/120', ' '],
      'x',
    );
    expect(inNetworks(list, '10.200.0.1')).toBe(true);
    expect(inNetworks(list, '::ffff:10.200.0.1')).toBe(true);
    expect(inNetworks(list, '2001:DB8:ffff::1')).toBe(true);
    expect(inNetworks(list, '192.0.2.7')).toBe(true);
    expect(inNetworks(list, '192.0.2.8')).toBe(false);
    expect(inNetworks(list, '198.51.100.200')).toBe(true);
    expect(inNetworks(list, '2001:db9::1')).toBe(false);
    expect(inNetworks(list, 'unknown')).toBe(false);
  });

  it('refuses a typo with an error naming the list, the entry and how to write it', () => {
    const cases: [string, RegExp][] = [
      ['10.0.0.0/33', /bad prefix length; the prefix after "\/" is 0–32 for IPv4/],
      ['2001:db8::/129', /bad prefix length; the prefix after "\/" is 0–128 for IPv6/],
      ['10.0.0.0/', /bad prefix/],
      ['10.0.0.0/8/8', /not an IP address or CIDR network; write it as e\.g\. 203\.0\.113\.0\/24/],
      ['example.com', /not an IP address/],
      ['10.0.0.256', /not an IP address/],
      ['10.0.0.1:80', /not an IP address/],
      ['[::1]:80', /not an IP address/],
      ['fe80::1%eth0', /not an IP address/],
      ['::ffff:10.0.0.0/80', /IPv4-mapped network takes \/96 to \/128/],
    ];
    for (const [entry, message] of cases) {
      let thrown: unknown;
      try {
        parseNetworks(['192.0.2.0/24', entry], '--allow-from');
      } catch (error) {
        thrown = error;
      }
      expect(thrown, entry).toBeInstanceOf(NetworkListError);
      const error = thrown as NetworkListError;
      expect(error.message, entry).toMatch(message);
      expect(error.message.startsWith(`--allow-from: "${entry}" `), entry).toBe(true);
      expect(error.entry).toBe(entry);
      expect(error.list).toBe('--allow-from');
    }
  });
});

describe('forwardedClient: the one rule behind proxies', () => {
  it('believes no header without a trusted proxy', () => {
    for (const trust of [false, undefined, []]) {
      expect(forwardedClient('::ffff:10.0.0.1', '203.0.113.9', trust)).toBe('10.0.0.1');
    }
  });

  it('with any peer trusted (true), the last entry is the client: the one the proxy appended', () => {
    expect(forwardedClient('127.0.0.1', '203.0.113.9, 198.51.100.7', true)).toBe('198.51.100.7');
    expect(forwardedClient('127.0.0.1', '[2001:db8::5]:4711', true)).toBe('2001:db8::5');
    // No header: the peer itself.
    expect(forwardedClient('127.0.0.1', undefined, true)).toBe('127.0.0.1');
  });

  it('with trusted networks, only their peers are believed, and trusted hops are skipped from the right', () => {
    const proxies = TrustedProxies.from(['10.0.0.0/8', '2001:db8:aa::/48']);
    // An untrusted peer's header is ignored (it forged it).
    expect(forwardedClient('192.0.2.1', '203.0.113.5', proxies)).toBe('192.0.2.1');
    // A chain of two trusted proxies: the client is the first untrusted entry from the right.
    expect(forwardedClient('10.0.0.2', '198.51.100.1, 203.0.113.5, 10.0.0.9', proxies)).toBe('203.0.113.5');
    expect(forwardedClient('::ffff:10.0.0.2', '2001:db8:aa::7, 2001:db8:bb::1', proxies)).toBe(
      '2001:db8:bb::1',
    );
    // Only trusted hops: the farthest one.
    expect(forwardedClient('10.0.0.2', '10.0.0.3', proxies)).toBe('10.0.0.3');
  });

  it('a believed entry that is not an address names no client (it was the inbox’s key, any string)', () => {
    expect(forwardedClient('127.0.0.1', 'attacker-chosen-1', true)).toBe(UNKNOWN_CLIENT);
    expect(forwardedClient('127.0.0.1', '203.0.113.9, unknown', true)).toBe(UNKNOWN_CLIENT);
    const proxies = TrustedProxies.from(['10.0.0.0/8']);
    // Behind a trusted proxy the unreadable entry is never replaced by the proxy's own address, which an
    // allow-list may hold.
    expect(forwardedClient('10.0.0.2', 'garbage, 10.0.0.3', proxies)).toBe(UNKNOWN_CLIENT);
    expect(inNetworks(parseNetworks(['10.0.0.0/8'], 'x'), UNKNOWN_CLIENT)).toBe(false);
  });
});

describe('on a request', () => {
  const req = (peer: string, headers: Record<string, string | string[]>) =>
    ({
      headers: { host: '10.0.0.2:8090', ...headers },
      socket: { remoteAddress: peer },
    }) as unknown as IncomingMessage;

  it('reads X-Forwarded-Host only from a trusted peer, X-Forwarded-For also when sent twice', () => {
    const r = req('::ffff:10.0.0.1', {
      'x-forwarded-for': ['203.0.113.9', '198.51.100.7'],
      'x-forwarded-host': 'evil.example, inbox.example',
    });
    expect(clientAddress(r, false)).toBe('10.0.0.1');
    expect(requestHost(r, false)).toBe('10.0.0.2:8090');
    expect(clientAddress(r, true)).toBe('198.51.100.7');
    expect(requestHost(r, true)).toBe('inbox.example');
    expect(requestHost(r, ['10.0.0.0/8'])).toBe('inbox.example');
    expect(requestHost(r, ['192.0.2.0/24'])).toBe('10.0.0.2:8090');
    expect(clientAddress(r, ['192.0.2.0/24'])).toBe('10.0.0.1');
  });

  it('drops the forwarded headers of an untrusted peer, keeps a trusted one’s', () => {
    const forged = req('192.0.2.1', {
      'x-forwarded-for': '203.0.113.5',
      'x-forwarded-host': 'a',
      'x-forwarded-proto': 'https',
    });
    dropUntrustedForwarding(forged, ['10.0.0.0/8']);
    expect(Object.keys(forged.headers)).toEqual(['host']);
    const proxied = req('10.0.0.1', { 'x-forwarded-for': '203.0.113.5' });
    dropUntrustedForwarding(proxied, ['10.0.0.0/8']);
    expect(proxied.headers['x-forwarded-for']).toBe('203.0.113.5');
  });
});
