/**
 * `a0, a1, ...` for a method whose parameter list can be forwarded by name: no
 * rest parameter and no use of `arguments` (both need every argument passed as
 * given). `undefined` when it cannot tell, and the forwarder passes `arguments` on.
 */
export function forwardableParameters(fn: unknown): string | undefined {
  if (typeof fn !== 'function') return undefined;
  const source = Function.prototype.toString.call(fn);
  if (source.includes('arguments') || source.includes('[native code]')) return undefined;
  const open = source.indexOf('(');
  if (open === -1) return undefined;
  let depth = 0;
  let count = 0;
  let sawToken = false;
  let quote: string | undefined;
  for (let i = open; i < source.length; i++) {
    const char = source[i];
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') {
      depth--;
      if (depth === 0) {
        if (sawToken) count++;
        const list = source.slice(open + 1, i);
        if (list.includes('...') || list.includes('/')) return undefined; // rest parameters; comments or regexps: do not guess
        return Array.from({ length: count }, (_, n) => `a${n}`).join(', ');
      }
    } else if (depth === 1 && char === ',') {
      count++;
      sawToken = false;
      continue;
    }
    if (depth >= 1 && i > open && !/\s/.test(char)) sawToken = true;
  }
  return undefined;
}
