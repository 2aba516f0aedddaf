import { createRequire } from 'node:module';
import type * as Semver from 'semver';

type SemverFunctions = Pick<typeof Semver, 'valid' | 'validRange' | 'satisfies' | 'major' | 'minor'>;

let loaded: SemverFunctions | undefined;

/**
 * The semver functions the host uses, loaded on first use and one by one: the whole package is some 50 files
 * (10–40 ms to load), and no version is checked until plugins are declared. Synchronous (`require`), as its callers
 * are; an ES-module host gets the copy an `import` would.
 */
export function semver(): SemverFunctions {
  if (!loaded) {
    const load = createRequire(import.meta.url);
    loaded = {
      valid: load('semver/functions/valid') as SemverFunctions['valid'],
      validRange: load('semver/ranges/valid') as SemverFunctions['validRange'],
      satisfies: load('semver/functions/satisfies') as SemverFunctions['satisfies'],
      major: load('semver/functions/major') as SemverFunctions['major'],
      minor: load('semver/functions/minor') as SemverFunctions['minor'],
    };
  }
  return loaded;
}
