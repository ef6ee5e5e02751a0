/**
 * `npm run demo:cluster` as users run it: the built program, in a process of its own, with its own
 * nats-server and two node processes. Its output must tell the story (ping-pong across the nodes,
 * the `node-down` Terminated after the kill, the supervisor's restart) and nothing may be left
 * running. The built `dist-examples/` must be current: `npm test` builds it first (`pretest`).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { isStale } from '../scripts/build-if-stale.mjs'
import { alive, childrenOf } from './helpers/processes.js'
import { describeNats } from './remote/fixture.js'

const at = (p: string): string => fileURLToPath(new URL(`../${p}`, import.meta.url))
const demo = at('dist-examples/cluster/demo.js')

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

/** The lines node `id` printed, without the `  <id> | ` the demo puts before them. */
function linesOf(run: Run, id: string): string[] {
  const prefix = `  ${id.padEnd(5)} | `
  return run.lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length))
}

beforeAll(() => {
  if (isStale([at('src'), at('examples')], demo)) {
    throw new Error('dist-examples/ is older than src/ or examples/: run `npm run build` first')
  }
})

describe('demo:cluster without nats-server', () => {
  it('says in one line how to install it and exits with code 1', async () => {
    const run = await runDemo({ ...process.env, NATS_SERVER_BIN: at('no-such-nats-server') })
    expect(run.code).toBe(1)
    expect(run.lines).toEqual([])
    const said = run.stderr.trim().split('\n')
    expect(said).toHaveLength(1)
    expect(said[0]).toMatch(/apt-get install nats-server.*brew install nats-server/)
  })
})

describeNats('demo:cluster', () => {
  it('plays ping-pong across two nodes, reacts to kill -9 of one, and leaves nothing running', async () => {
    const run = await runDemo()
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)

    const stats = linesOf(run, 'stats')
    const ping = linesOf(run, 'ping')
    // Ping-pong: each node saw the other's balls in order, and the ref inside crossed the network.
    expect(stats.filter((l) => l.startsWith('ponger: '))).toEqual(
      [1, 2, 3].map((n) => `ponger: ping ${String(n)} from /user/pinger on node ping`),
    )
    expect(ping.filter((l) => /^pinger: pong \d$/.test(l))).toEqual([
      'pinger: pong 1',
      'pinger: pong 2',
      'pinger: pong 3',
    ])
    expect(
      ping.filter((l) => /^poller: node stats has answered \d+ asks?/.test(l)).length,
    ).toBeGreaterThanOrEqual(3)

    // After the kill: unreachable, then down; the watch ends with node-down within the window
    // plus one second; the poller fails on it; its supervisor restarts it after the backoff.
    const index = (re: RegExp): number => {
      const i = ping.findIndex((l) => re.test(l))
      expect(i, `a line of node ping matching ${String(re)}`).toBeGreaterThanOrEqual(0)
      return i
    }
    const unreachable = index(/^membership: node stats is unreachable/)
    const down = index(/^membership: node stats is down \(failed\)/)
    const terminated = index(
      /^poller: Terminated\(\/user\/stats on node stats, reason node-down\) \(\+\d+ ms after the kill\)$/,
    )
    const failed = index(/^supervisor: poller failed: the stats actor is gone \(node-down\); restarting it/)
    const restarted = index(/^poller: restarted by its supervisor \d+ ms after it failed$/)
    const none = index(/^poller: lookup\("stats"\) finds no stats service in the cluster/)
    expect([unreachable, down, terminated, failed, restarted, none]).toEqual(
      [unreachable, down, terminated, failed, restarted, none].sort((a, b) => a - b),
    )
    const afterKill = Number(/\+(\d+) ms/.exec(ping[terminated] ?? '')?.[1])
    expect(afterKill).toBeLessThan(1500 + 1000)
    const backoff = Number(/supervisor (\d+) ms/.exec(ping[restarted] ?? '')?.[1])
    expect(backoff).toBeGreaterThanOrEqual(300)
    expect(ping.at(-1)).toMatch(/^left the cluster; actor system stopped/)

    // Nothing left: the pids the demo named, and every child seen under it while it ran.
    const named = new Set(
      run.lines.flatMap((l) => [...l.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]))),
    )
    expect(named.size).toBe(3) // nats-server, node stats, node ping
    const procfs = childrenOf(process.pid) !== undefined
    for (const pid of named) if (procfs) expect(run.children).toContain(pid)
    for (const pid of new Set([...named, ...run.children]))
      expect(alive(pid), `pid ${String(pid)}`).toBe(false)
    expect(childrenOf(process.pid) ?? []).not.toContain(run.pid)
    const folder = /config in (\S+)$/m.exec(run.lines.join('\n'))?.[1]
    expect(folder).toBeDefined()
    expect(existsSync(folder as string)).toBe(false)
    expect(run.lines.at(-1)).toMatch(/^-> nats-server stopped and its folder removed; no process left/)
  }, 30_000)
})
