import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isStale } from '../../scripts/build-if-stale.mjs'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Writes `path` under a fresh folder with its modification time `seconds` after the epoch. */
function file(root: string, path: string, seconds: number): string {
  const full = join(root, path)
  mkdirSync(join(full, '..'), { recursive: true })
  writeFileSync(full, '')
  utimesSync(full, seconds, seconds)
  return full
}

describe('build only when stale', () => {
  it('is stale when the output is missing or any input, however deep, is newer', () => {
    const root = mkdtempSync(join(tmpdir(), 'verdant-stale-'))
    dirs.push(root)
    file(root, 'src/a.ts', 100)
    file(root, 'src/deep/b.ts', 100)
    const out = join(root, 'dist/index.js')
    expect(isStale([join(root, 'src')], out)).toBe(true)
    file(root, 'dist/index.js', 200)
    expect(isStale([join(root, 'src')], out)).toBe(false)
    file(root, 'src/deep/b.ts', 300)
    expect(isStale([join(root, 'src')], out)).toBe(true)
    expect(isStale([join(root, 'missing-input')], out)).toBe(false)
  })

  it('runs one example without compiling anything when the build is current', () => {
    const repo = new URL('../../', import.meta.url).pathname
    const runExample = (): string =>
      execFileSync(process.execPath, ['scripts/example.mjs', '01'], { cwd: repo, encoding: 'utf8' })
    runExample() // brings the build up to date if the sources changed since
    const stamps = (): number[] =>
      ['dist/index.js', 'dist-examples/demo.js'].map((p) => statSync(join(repo, p)).mtimeMs)
    const before = stamps()
    const out = runExample()
    expect(stamps()).toEqual(before) // nothing was written again
    expect(out).not.toMatch(/building/)
    expect(out).toMatch(/Hello World!/)
  }, 120_000)
})
