/**
 * `npm run demo:cluster`: the talk's actors across two node processes on a local nats-server.
 *
 * It starts nats-server on a free loopback port, then two `node` processes, "stats" and "ping",
 * each an actor system named "talk" joined to the cluster. Pinger (on ping) and Ponger (on stats)
 * play three rounds over the network; a poller on ping, under a supervisor, asks the stats actor
 * on stats and watches it. Then the demo kills node stats with SIGKILL: the poller's watch ends
 * with `Terminated` (`node-down`) once the failure window has passed, the poller fails on it, its
 * supervisor restarts it after a backoff, and the new poller finds no stats service. Node ping
 * then leaves, nats-server is stopped, and the demo checks that no process is left.
 */
import { existsSync } from 'node:fs'
import { run, type TaskContext, TaskKilled } from 'verdant'
import { alive, DemoChild } from './child.js'
import { findNatsServer, NatsServer } from './nats-server.js'
import { type Command, FAILURE_WINDOW_MS, type NodeEvent, type Report } from './protocol.js'

const say = (line: string): void => {
  console.log(line)
}

/** A node process, forked from node.js; its lines are printed as `  <id> | <line>`. */
class NodeProcess extends DemoChild<Report> {
  readonly #events = new Set<NodeEvent>()

  constructor(id: string, url: string) {
    super('node', new URL('./node.js', import.meta.url), [url, id], id, id.padEnd(5))
  }

  protected onReport(m: Report): void {
    if ('event' in m) this.#events.add(m.event)
  }

  /** Resolves once the node reported `event`; rejects if it exits first or after `ms`. */
  reported(event: NodeEvent, ms = 10_000): Promise<void> {
    return this.until(`it reported "${event}"`, () => this.#events.has(event), ms)
  }

  /** Ends the process if it still runs: it is told to leave the cluster, and killed after 2 s. */
  stop(): Promise<void> {
    return this.stopWith({ cmd: 'leave' } satisfies Command, 2000)
  }
}

async function main(ctx: TaskContext): Promise<void> {
  const bin = findNatsServer()
  if (bin === undefined) {
    console.error(
      'demo:cluster needs nats-server: install it with `apt-get install nats-server` (Debian, Ubuntu) or `brew install nats-server`, or set NATS_SERVER_BIN',
    )
    process.exitCode = 1
    return
  }
  const began = Date.now()
  const server = new NatsServer(bin)
  const nodes: NodeProcess[] = []
  const pids: number[] = []
  try {
    await ctx.call(server.start())
    pids.push(server.pid ?? 0)
    say(
      `-> nats-server ${server.version} (pid ${String(server.pid)}) on ${server.url}, config in ${server.dir}`,
    )

    for (const id of ['stats', 'ping']) {
      const node = new NodeProcess(id, server.url)
      nodes.push(node)
      pids.push(node.pid)
      say(`-> node ${id} starts (pid ${String(node.pid)})`)
      await ctx.call(node.reported('ready'))
    }
    const [stats, ping] = nodes as [NodeProcess, NodeProcess]

    say('-> ping-pong: Pinger on node ping, Ponger on node stats, three rounds')
    ping.send({ cmd: 'pingpong' })
    await ctx.call(ping.reported('pingpong-done'))

    say('-> a poller on node ping, under a supervisor, asks the stats actor on node stats')
    ping.send({ cmd: 'poll' })
    await ctx.call(ping.reported('polled'))

    say(
      `-> kill -9 node stats (pid ${String(stats.pid)}): its watchers hear of it within the failure window (${String(FAILURE_WINDOW_MS)} ms)`,
    )
    const at = Date.now()
    stats.kill('SIGKILL')
    ping.send({ cmd: 'killed', node: 'stats', at })
    await ctx.call(stats.exited)
    await ctx.call(ping.reported('stats-down'))
    await ctx.call(ping.reported('no-stats'))

    say('-> node ping leaves the cluster and shuts down')
    ping.send({ cmd: 'leave' })
    await ctx.call(ping.reported('left'))
    await ctx.call(ping.exitWithin(5000))
    say(`-> node stats ended by ${String(stats.exit)}, node ping with ${String(ping.exit)}`)
  } finally {
    for (const node of nodes) await node.stop()
    await server.stop()
  }
  const left = pids.filter(alive)
  if (left.length > 0) throw new Error(`processes left running: ${left.join(', ')}`)
  if (existsSync(server.dir)) throw new Error(`${server.dir} was not removed`)
  say(
    `-> nats-server stopped and its folder removed; no process left (pids ${pids.join(', ')} are gone); ${((Date.now() - began) / 1000).toFixed(1)} s in all`,
  )
}

void run(main, { name: 'demo:cluster' }).then(
  () => undefined,
  (err: unknown) => {
    if (err instanceof TaskKilled)
      say(`-> interrupted (${String(err.reason)}): node processes and nats-server stopped`)
  },
)
