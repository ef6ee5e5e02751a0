/**
 * Where a module of verdant's own that runs in another thread is: beside the caller in the built
 * package, and in `dist/` when the caller is a TypeScript source (this project's tests), since a
 * thread cannot load TypeScript on Node 20.
 *
 * @module
 */

/** The URL of `relative` (a `.js` path from `src/remote/`), resolved from `base` (`import.meta.url`). @internal */
export function builtModule(relative: string, base: string): URL {
  const here = new URL(base)
  if (here.pathname.endsWith('.ts')) return new URL(`../../dist/remote/${relative}`, here)
  return new URL(relative, here)
}
