/**
 * Nesting limit for JSON bodies. No field of the API or the admin namespace nests deeper than a few levels;
 * a body nested thousands deep only exists to exhaust the stack of whatever walks it later (error texts,
 * cache keys), which would turn a client's mistake into a 500, and a 500 on a send means "maybe sent".
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The path of the first value nested deeper than `limit` (`message`, `contexts[0].id`), or undefined.
 * Iterative, so the check itself cannot overflow.
 */
export function tooDeep(root: unknown, limit = MAX_JSON_DEPTH): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= limit) return path || '(the body)';
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
    } else {
      for (const [key, child] of Object.entries(value))
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The field a deep path belongs to, for the error text: `contexts[0].a.a` → `contexts`. */
export function topField(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

export function tooDeepMessage(path: string): string {
  return `${topField(path)}: nested deeper than ${MAX_JSON_DEPTH} levels (at ${path.length > 60 ? `${path.slice(0, 60)}…` : path})`;
}
