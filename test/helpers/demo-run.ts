// The cluster demos as users run them: the built program in a process of its own, its output and
// every process it started, and the one line it prints when nats-server is missing.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { isStale } from '../../scripts/build-if-stale.mjs'
import { existsSync } from 'node:fs'
import { alive, childrenOf } from './processes.js'

/** A path from the repository's root. */
export const fromRoot = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url))

/** What one run of a demo printed and started. */
export interface DemoRun {
  readonly code: number | null
  readonly lines: string[]
  readonly stderr: string
  /** Every process seen as a child of the demo while it ran (empty without /proc). */
  readonly children: Set<number>
  readonly pid: number
}

/** Runs the built demo at `demo` to its end. */
export function runDemo(demo: string, env: NodeJS.ProcessEnv = process.env): Promise<DemoRun> {
  const child = spawn(process.execPath, [demo], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const pid = child.pid as number
  const children = new Set<number>()
  const sample = setInterval(() => {
    for (const c of childrenOf(pid) ?? []) children.add(c)
  }, 20)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearInterval(sample)
      resolve({ code, lines: stdout.split('\n').filter((l) => l !== ''), stderr, children, pid })
    })
  })
}

/**
 * The built `dist-examples/<name>/demo.js`, checked current before the suite runs (`npm test`
 * builds it first), and the suite every cluster demo has: without nats-server it says in one line
 * how to install it.
 */
export function builtClusterDemo(name: string): string {
  const demo = fromRoot(`dist-examples/${name}/demo.js`)
  beforeAll(() => {
    if (isStale([fromRoot('src'), fromRoot('examples')], demo)) {
      throw new Error('dist-examples/ is older than src/ or examples/: run `npm run build` first')
    }
  })
  describe(`demo:${name} without nats-server`, () => {
    it('says in one line how to install it and exits with code 1', async () => {
      const run = await runDemo(demo, { ...process.env, NATS_SERVER_BIN: fromRoot('no-such-nats-server') })
      expect(run.code).toBe(1)
      expect(run.lines).toEqual([])
      const said = run.stderr.trim().split('\n')
      expect(said).toHaveLength(1)
      expect(said[0]).toMatch(/apt-get install nats-server.*brew install nats-server/)
    })
  })
  return demo
}

/**
 * Nothing of `run` is left: the `named` pids it printed as `(pid N)`, every child seen under it
 * while it ran, the demo itself, and the folder it printed as `config in <folder>`.
 */
export function expectNothingLeft(run: DemoRun, named: number): void {
  const pids = new Set(run.lines.flatMap((l) => [...l.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]))))
  expect(pids.size).toBe(named)
  const procfs = childrenOf(process.pid) !== undefined
  for (const pid of pids) if (procfs) expect(run.children).toContain(pid)
  for (const pid of new Set([...pids, ...run.children])) expect(alive(pid), `pid ${String(pid)}`).toBe(false)
  expect(childrenOf(process.pid) ?? []).not.toContain(run.pid)
  const folder = /config in (\S+)$/m.exec(run.lines.join('\n'))?.[1]
  expect(folder).toBeDefined()
  expect(existsSync(folder as string)).toBe(false)
}
