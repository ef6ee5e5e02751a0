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
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { run, type TaskContext, TaskKilled } from 'verdant'
import { findNatsServer, NatsServer } from './nats-server.js'
import { type Command, FAILURE_WINDOW_MS, type NodeEvent, type Report } from './protocol.js'

const say = (line: string): void => {
  console.log(line)
}

/** A node process, forked from node.js; its lines are printed as `  <id> | <line>`. */
class NodeProcess {
  readonly id: string
  readonly exited: Promise<void>
  readonly #child: ChildProcess
  readonly #events = new Set<NodeEvent>()
  readonly #listeners = new Set<() => void>()

  constructor(id: string, url: string) {
    this.id = id
    const script = fileURLToPath(new URL('./node.js', import.meta.url))
    const child = fork(script, [url, id], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
    this.#child = child
    const relay = (line: string): void => {
      say(`  ${id.padEnd(5)} | ${line}`)
    }
    child.on('message', (m: Report) => {
      if ('line' in m) relay(m.line)
      else {
        this.#events.add(m.event)
        for (const l of [...this.#listeners]) l()
      }
    })
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8')
      let rest = ''
      stream?.on('data', (s: string) => {
        const lines = (rest + s).split('\n')
        rest = lines.pop() ?? ''
        for (const line of lines) relay(line)
      })
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        resolve()
        for (const l of [...this.#listeners]) l()
      })
    })
  }

  get pid(): number {
    return this.#child.pid ?? 0
  }

  /** How it ended: `exit code 0`, `SIGKILL`; undefined while it runs. */
  get exit(): string | undefined {
    const c = this.#child
    if (c.signalCode !== null) return c.signalCode
    return c.exitCode === null ? undefined : `exit code ${String(c.exitCode)}`
  }

  send(cmd: Command): void {
    this.#child.send(cmd)
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal)
  }

  /** Resolves once the node reported `event`; rejects if it exits first or after `ms`. */
  until(event: NodeEvent, ms = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#events.has(event)) end(undefined)
        else if (this.exit !== undefined)
          end(`node ${this.id} ended (${this.exit}) before it reported "${event}"`)
      }
      const end = (failure: string | undefined): void => {
        clearTimeout(timer)
        this.#listeners.delete(check)
        if (failure === undefined) resolve()
        else reject(new Error(failure))
      }
      const timer = setTimeout(() => {
        end(`node ${this.id} did not report "${event}" within ${String(ms)} ms`)
      }, ms).unref()
      this.#listeners.add(check)
      check()
    })
  }

  /** Resolves once the process has exited; rejects after `ms`. */
  exitWithin(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`node ${this.id} did not exit within ${String(ms)} ms`))
      }, ms).unref()
      void this.exited.then(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Ends the process if it still runs: it is told to leave the cluster, and killed after 2 s. */
  async stop(): Promise<void> {
    if (this.exit === undefined && this.#child.pid !== undefined) {
      if (this.#child.connected) this.send({ cmd: 'leave' })
      const force = setTimeout(() => {
        this.kill('SIGKILL')
      }, 2000)
      await this.exited
      clearTimeout(force)
    }
  }
}

/** Whether a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
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
      await ctx.call(node.until('ready'))
    }
    const [stats, ping] = nodes as [NodeProcess, NodeProcess]

    say('-> ping-pong: Pinger on node ping, Ponger on node stats, three rounds')
    ping.send({ cmd: 'pingpong' })
    await ctx.call(ping.until('pingpong-done'))

    say('-> a poller on node ping, under a supervisor, asks the stats actor on node stats')
    ping.send({ cmd: 'poll' })
    await ctx.call(ping.until('polled'))

    say(
      `-> kill -9 node stats (pid ${String(stats.pid)}): its watchers hear of it within the failure window (${String(FAILURE_WINDOW_MS)} ms)`,
    )
    const at = Date.now()
    stats.kill('SIGKILL')
    ping.send({ cmd: 'killed', node: 'stats', at })
    await ctx.call(stats.exited)
    await ctx.call(ping.until('stats-down'))
    await ctx.call(ping.until('no-stats'))

    say('-> node ping leaves the cluster and shuts down')
    ping.send({ cmd: 'leave' })
    await ctx.call(ping.until('left'))
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
