/** Whether `names` (lower-cased, as the options keep them) holds `name`, ignoring case as every rule that guards does. */
export function hasName(names: ReadonlySet<string>, name: string): boolean {
  return names.size > 0 && names.has(name.toLowerCase());
}

/** `*` matches any run of characters; everything else is literal. `ignoreCase` for rules that guard (trust). */
export function wildcardToRegExp(pattern: string, ignoreCase = false): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, ignoreCase ? 'i' : '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles wildcard patterns once; `matches` is true when any pattern matches any of the names. */
export function wildcardMatcher(
  patterns: readonly string[] | undefined,
  ignoreCase = false,
): (...names: (string | undefined)[]) => boolean {
  const regexps = (patterns ?? []).map((pattern) => wildcardToRegExp(pattern, ignoreCase));
  return (...names) => regexps.some((regexp) => names.some((name) => name !== undefined && regexp.test(name)));
}

/** The include/exclude rule over plugin and package names: exclude wins; no include list means all. */
export function createNameFilter(
  include: readonly string[] | undefined,
  exclude: readonly string[] | undefined,
): (pluginName?: string, packageName?: string) => boolean {
  const included = wildcardMatcher(include);
  const excluded = wildcardMatcher(exclude);
  const everything = include === undefined;
  return (pluginName, packageName) =>
    !excluded(pluginName, packageName) && (everything || included(pluginName, packageName));
}
