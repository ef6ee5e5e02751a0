// Builds the library and the examples only when their sources are newer than what was built, so
// running one example after a build costs no compile. `npm run build` still builds unconditionally.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The newest modification time under `path` (a file or a folder, searched recursively). */
export function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = 0
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

/** True when `output` is missing or older than any of `inputs`. */
export function isStale(inputs, output) {
  if (!existsSync(output)) return true
  const built = statSync(output).mtimeMs
  return inputs.some((input) => newestMtime(input) > built)
}

/** Runs `tsc -p <project>` for each part whose inputs changed; returns the projects it built. */
export function buildIfStale(root, log = console.log) {
  const at = (p) => join(root, p)
  const tsc = at('node_modules/typescript/bin/tsc')
  const built = []
  const base = [at('tsconfig.base.json')]
  if (isStale([at('src'), at('tsconfig.build.json'), ...base], at('dist/index.js'))) {
    log('building the library (sources changed since the last build)')
    execFileSync(process.execPath, [tsc, '-p', at('tsconfig.build.json')], { stdio: 'inherit' })
    built.push('tsconfig.build.json')
  }
  const examplesStale = isStale(
    [at('examples'), at('tsconfig.examples.json'), ...base],
    at('dist-examples/demo.js'),
  )
  if (built.length > 0 || examplesStale) {
    log('building the examples')
    execFileSync(process.execPath, [tsc, '-p', at('tsconfig.examples.json')], { stdio: 'inherit' })
    built.push('tsconfig.examples.json')
  }
  return built
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  buildIfStale(fileURLToPath(new URL('..', import.meta.url)))
