// `import 'verdant'` must not load the NATS client: only `verdant/remote` may.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const hook = fileURLToPath(new URL('../fixtures/refuse-nats.mjs', import.meta.url))

/** Imports `entry` (from dist/) in a child node under the hook that refuses @nats-io. */
function importUnderHook(entry: string): { status: number | null; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', hook, '--input-type=module', '-e', `await import(${JSON.stringify(entry)})`],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  return { status: r.status, stderr: r.stderr }
}

describe('the module graph', () => {
  it('import "verdant", "verdant/worker", "verdant/testing" and "verdant/observer" never load the NATS client', () => {
    for (const entry of [
      './dist/index.js',
      './dist/worker.js',
      './dist/testing/index.js',
      './dist/observer/index.js',
    ]) {
      const r = importUnderHook(entry)
      expect(r.stderr).toBe('')
      expect(r.status).toBe(0)
    }
  })

  it('while "verdant/remote" does (which shows the hook catches it)', () => {
    const r = importUnderHook('./dist/remote/index.js')
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('loaded the NATS client: @nats-io/transport-node')
  })
})
