/**
 * `npm run demo:jobs` as users run it: the built program, in a process of its own, with its own
 * nats-server (JetStream on) and two worker processes. Its output must tell the story (both
 * workers ran jobs, worker a was killed, worker b ran again the jobs it held, every future settled
 * with the right sum) and nothing may be left running. The built `dist-examples/` must be
 * current: `npm test` builds it first (`pretest`).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { isStale } from '../scripts/build-if-stale.mjs'
import { alive, childrenOf } from './helpers/processes.js'
import { describeNats } from './remote/fixture.js'

const at = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url))
const demo = at('dist-examples/jobs/demo.js')

interface Run {
  readonly code: number | null
  readonly lines: string[]
  readonly stderr: string
  /** Every process seen as a child of the demo while it ran (empty without /proc). */
  readonly children: Set<number>
  readonly pid: number
}

function runDemo(env: NodeJS.ProcessEnv = process.env): Promise<Run> {
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

/** The one line of `run` matching `re`, and its groups. */
function line(run: Run, re: RegExp): RegExpExecArray {
  const found = run.lines.map((l) => re.exec(l)).filter((m) => m !== null)
  expect(found, `one line matching ${String(re)} in\n${run.lines.join('\n')}`).toHaveLength(1)
  return found[0] as RegExpExecArray
}

beforeAll(() => {
  if (isStale([at('src'), at('examples')], demo)) {
    throw new Error('dist-examples/ is older than src/ or examples/: run `npm run build` first')
  }
})

describe('demo:jobs without nats-server', () => {
  it('says in one line how to install it and exits with code 1', async () => {
    const run = await runDemo({ ...process.env, NATS_SERVER_BIN: at('no-such-nats-server') })
    expect(run.code).toBe(1)
    expect(run.lines).toEqual([])
    const said = run.stderr.trim().split('\n')
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/apt-get install nats-server.*brew install nats-server/)
  })
})

describeNats('demo:jobs', () => {
  it('spreads jobs over two workers, runs again those of the one killed, and leaves nothing running', async () => {
    const began = Date.now()
    const run = await runDemo()
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(Date.now() - began).toBeLessThan(15_000)

    const jobs = Number(line(run, /^-> the submitter sends (\d+) jobs sumRange/)[1])
    expect(jobs).toBeGreaterThanOrEqual(8)

    // The kill: worker a held jobs it had not finished, and ended by SIGKILL.
    const kill = line(
      run,
      /^-> kill -9 worker a \(pid (\d+)\) while it runs (\d+) jobs?, after it completed (\d+): ended by SIGKILL$/,
    )
    const held = Number(kill[2])
    expect(held).toBeGreaterThanOrEqual(1)

    // Both workers ran jobs; worker b ran again the ones worker a held.
    const ranA = Number(line(run, /^-> worker a ran: completed (\d+) /)[1])
    const b = line(run, /^-> worker b ran: completed (\d+), redelivered (\d+) .*, retried 0, failed 0$/)
    const ranB = Number(b[1])
    const redelivered = Number(b[2])
    expect(ranA).toBeGreaterThanOrEqual(1)
    expect(ranB).toBeGreaterThanOrEqual(1)
    expect(redelivered).toBeGreaterThanOrEqual(1)
    expect(ranA + ranB).toBeGreaterThanOrEqual(jobs)

    // Every future settled with the right value; those worker a lost took two attempts.
    const futures = line(run, /^-> futures: (.*)$/)[1] as string
    const counts = new Map(
      [...futures.matchAll(/(\d+) jobs? with attempts === (\d+)/g)].map((m) => [Number(m[2]), Number(m[1])]),
    )
    expect([...counts.values()].reduce((x, y) => x + y, 0)).toBe(jobs)
    expect(counts.get(2) ?? 0).toBeGreaterThanOrEqual(1)
    expect(counts.get(2) ?? 0).toBeLessThanOrEqual(redelivered)
    line(run, new RegExp(`^-> all ${String(jobs)} futures settled with the right sum$`))

    // Nothing left: the pids the demo named, and every child seen under it while it ran.
    const named = new Set(
      run.lines.flatMap((l) => [...l.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]))),
    )
    expect(named.size).toBe(3) // nats-server, worker a, worker b
    const procfs = childrenOf(process.pid) !== undefined
    for (const pid of named) if (procfs) expect(run.children).toContain(pid)
    for (const pid of new Set([...named, ...run.children]))
      expect(alive(pid), `pid ${String(pid)}`).toBe(false)
    expect(childrenOf(process.pid) ?? []).not.toContain(run.pid)
    const folder = /config in (\S+)$/m.exec(run.lines.join('\n'))?.[1]
    expect(folder).toBeDefined()
    expect(existsSync(folder as string)).toBe(false)
    expect(run.lines.at(-1)).toMatch(
      /^-> worker b and nats-server stopped, its folder removed; no process left/,
    )
  }, 30_000)
})
