/** The event streams open in this process, by session: a logout ends its session's streams at once. */
export class OpenStreams {
  private readonly bySession = new Map<string, Set<{ end(): void }>>();

  add(sessionId: string, stream: { end(): void }): void {
    const set = this.bySession.get(sessionId) ?? new Set();
    set.add(stream);
    this.bySession.set(sessionId, set);
  }

  delete(sessionId: string, stream: { end(): void }): void {
    const set = this.bySession.get(sessionId);
    if (!set) return;
    set.delete(stream);
    if (set.size === 0) this.bySession.delete(sessionId);
  }

  end(sessionId: string): void {
    for (const stream of [...(this.bySession.get(sessionId) ?? [])]) stream.end();
  }

  /** Streams open now (tests count them to find leaks). */
  get size(): number {
    let n = 0;
    for (const set of this.bySession.values()) n += set.size;
    return n;
  }
}
