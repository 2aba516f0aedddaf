/** `*` matches any run of characters; everything else is literal. */
export function wildcardToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Compiles wildcard patterns once; `matches` is true when any pattern matches any of the names. */
export function wildcardMatcher(patterns: readonly string[] | undefined): (...names: (string | undefined)[]) => boolean {
  const regexps = (patterns ?? []).map(wildcardToRegExp);
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
  return (pluginName, packageName) => !excluded(pluginName, packageName) && (everything || included(pluginName, packageName));
}
