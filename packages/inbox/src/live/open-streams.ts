import type { IncomingMessage } from 'node:http';
import { addressKey } from '@ym-chats/sdk';

/**
 * How many event streams may be open at once. A page holds one; a browser over HTTP/1.1 opens at most six
 * connections to a host (so no more than six tabs' streams from one browser at all), and behind an
 * HTTP/2 proxy an agent with sixteen tabs open is far past the usual. Per address, several agents behind
 * one office's NAT share the count. Past a cap the oldest stream closes: a forgotten tab goes, the one
 * just opened works — and a client that opens streams without end holds no more than the caps.
 */
export interface StreamCaps {
  /** Default 16. */
  perSession: number;
  /** Default 128 (IPv6 by /64, as the login limits count). */
  perAddress: number;
}

/** What the registry needs of an open stream: to end it (it tells its page why), and its request. */
export interface OpenStream {
  end(reason?: 'superseded'): void;
  readonly req: IncomingMessage;
}

/** The event streams open in this process, by session and by client address. */
export class OpenStreams {
  private readonly caps: StreamCaps;
  // Sets keep insertion order: the first is the oldest.
  private readonly bySession = new Map<string, Set<OpenStream>>();
  private readonly byAddress = new Map<string, Set<OpenStream>>();
  private readonly keys = new Map<OpenStream, { session: string; address: string }>();

  constructor(
    caps: Partial<StreamCaps> = {},
    private readonly addressOf: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? '',
  ) {
    this.caps = { perSession: caps.perSession ?? 16, perAddress: caps.perAddress ?? 128 };
  }

  /** Registers a stream; past a cap, the oldest of its session or address is ended (and forgotten) now. */
  add(sessionId: string, stream: OpenStream): void {
    const address = addressKey(this.addressOf(stream.req));
    this.keys.set(stream, { session: sessionId, address });
    this.insert(this.bySession, sessionId, stream, this.caps.perSession);
    this.insert(this.byAddress, address, stream, this.caps.perAddress);
  }

  private insert(index: Map<string, Set<OpenStream>>, key: string, stream: OpenStream, cap: number): void {
    const set = index.get(key) ?? new Set();
    index.set(key, set);
    set.add(stream);
    while (set.size > cap) {
      const oldest = set.values().next().value!;
      this.forget(oldest);
      oldest.end('superseded');
    }
  }

  /** The stream closed (its page went, or it was ended). */
  delete(_sessionId: string, stream: OpenStream): void {
    this.forget(stream);
  }

  private forget(stream: OpenStream): void {
    const keys = this.keys.get(stream);
    if (!keys) return;
    this.keys.delete(stream);
    for (const [index, key] of [
      [this.bySession, keys.session],
      [this.byAddress, keys.address],
    ] as const) {
      const set = index.get(key);
      set?.delete(stream);
      if (set?.size === 0) index.delete(key);
    }
  }

  /** A logout: the session's streams end now. */
  end(sessionId: string): void {
    for (const stream of [...(this.bySession.get(sessionId) ?? [])]) stream.end();
  }

  /** Streams open now (tests count them to find leaks). */
  get size(): number {
    return this.keys.size;
  }
}
