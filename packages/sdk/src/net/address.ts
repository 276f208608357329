/**
 * Client addresses as every server we ship reads them: the push receiver's allow-list, the connection
 * limits, the inbox's login limits and event-stream caps. One normal form, so that the same client is
 * the same key everywhere.
 *
 * Why here, in the SDK (`src/net/`, beside `push/`): the readers live in sync (the receiver), the inbox
 * and the CLI (`watch --listen`, which runs with only the SDK installed), and packages import only lower
 * ones; the SDK is the one home all of them reach. Addresses are not about pushes (the inbox's logins use
 * them too), hence a folder of their own. Node built-ins only.
 */
import { isIP } from 'node:net';

/** What a reader gets for a client it cannot name (a forwarded entry that is not an address). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * The address alone, in one form: without brackets, port or zone (`[2001:db8::1]:443`, `10.0.0.1:5000`,
 * `fe80::1%eth0`, as proxies and sockets write them), IPv6 in lower case, and an IPv4 client on a
 * dual-stack socket (`::ffff:10.0.0.1`, or `::ffff:a00:1`) as the IPv4 address it is. Anything that is
 * not an address comes back trimmed and otherwise unchanged, for the caller to refuse.
 */
export function normalizeAddress(address: string): string {
  let text = address.trim();
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
    if (withPort) text = withPort[1]!;
  }
  const bare = text.replace(/%[\w.-]*$/, '');
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family !== 6) return text;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return bare.toLowerCase();
}

/** `4`, `6`, or `0` for something that is not an address (after `normalizeAddress`). */
export function addressFamily(address: string): 0 | 4 | 6 {
  return isIP(normalizeAddress(address)) as 0 | 4 | 6;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded dotted IPv4 tail is two of them). */
function ipv6Groups(address: string): number[] {
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [Number.parseInt(g, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.split('::');
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(Math.max(0, 8 - front.length - back.length)).fill(0), ...back];
}

/**
 * The key a client is counted under (connection caps, login limits, stream caps): an IPv4 address (also
 * when mapped into IPv6), or the /64 an IPv6 address is in — one subscriber usually holds a whole /64, so
 * counting single addresses would let one host open 2^64 times any cap. Not an address: as given.
 */
export function addressKey(address: string): string {
  const normal = normalizeAddress(address);
  if (isIP(normal) !== 6) return normal;
  return `${ipv6Groups(normal)
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
