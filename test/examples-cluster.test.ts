/**
 * `npm run demo:cluster` as users run it: the built program, in a process of its own, with its own
 * nats-server and two node processes. Its output must tell the story (ping-pong across the nodes,
 * the `node-down` Terminated after the kill, the supervisor's restart) and nothing may be left
 * running. The built `dist-examples/` must be current: `npm test` builds it first (`pretest`).
 */
import { expect, it } from 'vitest'
import { builtClusterDemo, type DemoRun, expectNothingLeft, runDemo } from './helpers/demo-run.js'
import { describeNats } from './remote/fixture.js'

const demo = builtClusterDemo('cluster')

/** The lines node `id` printed, without the `  <id> | ` the demo puts before them. */
function linesOf(run: DemoRun, id: string): string[] {
  const prefix = `  ${id.padEnd(5)} | `
  return run.lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length))
}

describeNats('demo:cluster', () => {
  it('plays ping-pong across two nodes, reacts to kill -9 of one, and leaves nothing running', async () => {
    const run = await runDemo(demo)
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

    // Nothing left: the pids the demo named (nats-server, node stats, node ping), every child seen under it, its folder.
    expectNothingLeft(run, 3)
    expect(run.lines.at(-1)).toMatch(/^-> nats-server stopped and its folder removed; no process left/)
  }, 30_000)
})
