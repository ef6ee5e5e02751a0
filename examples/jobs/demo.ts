/**
 * `npm run demo:jobs`: a distributed executor on a local nats-server with JetStream.
 *
 * It starts nats-server (JetStream stored in its temp folder), then two worker processes, "a" and
 * "b", each serving the executor with a thread pool of 2 (`serveJobs`, concurrency 2, lease 1 s).
 * This process is the submitter: it submits CPU jobs (`sumRange`, ~50 ms each), and once worker a
 * is running two of them it kills it with SIGKILL. The jobs it held run again on worker b after
 * their lease; the demo prints what each worker ran (their stats), the redeliveries, and checks
 * that every future settled with the right value. Then it stops worker b and nats-server and
 * checks that no process is left.
 */
import { existsSync } from 'node:fs'
import { run, type TaskContext, TaskKilled } from 'verdant'
import { connectExecutor, type ClusterExecutor, type JobServerStats } from 'verdant/remote'
import { alive, DemoChild } from '../cluster/child.js'
import { findNatsServer, NatsServer } from '../cluster/nats-server.js'
import { CONCURRENCY, EXECUTOR, LEASE_MS, type Command, type Report, THREADS } from './protocol.js'
import { expectedSum, SPIN_MS, sumRange } from './tasks.js'

/** Jobs submitted, and the numbers each one sums. */
const JOBS = 40
const RANGE = 1_000_000

const say = (line: string): void => {
  console.log(line)
}

/** A worker process, forked from worker.js; its lines are printed as `  <id> | <line>`. */
class WorkerProcess extends DemoChild<Report> {
  /** Its latest stats (every 20 ms while it runs). */
  stats: JobServerStats | undefined
  /** Its stats once it stopped. */
  final: JobServerStats | undefined
  ready = false

  constructor(id: string, url: string) {
    super('worker', new URL('./worker.js', import.meta.url), [url, id], id, id)
  }

  protected onReport(m: Report): void {
    if ('ready' in m) this.ready = true
    else if ('stats' in m) {
      if (m.final === true) this.final = m.stats
      else this.stats = m.stats
    }
  }

  /** Ends the process if it still runs: told to stop (its running jobs finish), killed after 5 s. */
  stop(): Promise<void> {
    return this.stopWith({ cmd: 'stop' } satisfies Command, 5000)
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${String(n)} ${n === 1 ? one : many}`

async function main(ctx: TaskContext): Promise<void> {
  const bin = findNatsServer()
  if (bin === undefined) {
    console.error(
      'demo:jobs needs nats-server: install it with `apt-get install nats-server` (Debian, Ubuntu) or `brew install nats-server`, or set NATS_SERVER_BIN',
    )
    process.exitCode = 1
    return
  }
  const began = Date.now()
  const server = new NatsServer(bin, { jetstream: true, folder: 'verdant-demo-jobs-' })
  const workers: WorkerProcess[] = []
  const pids: number[] = []
  let cluster: ClusterExecutor | undefined
  try {
    await ctx.call(server.start())
    pids.push(server.pid ?? 0)
    say(
      `-> nats-server ${server.version} with JetStream (pid ${String(server.pid)}) on ${server.url}, config in ${server.dir}`,
    )

    for (const id of ['a', 'b']) {
      const worker = new WorkerProcess(id, server.url)
      workers.push(worker)
      pids.push(worker.pid)
      say(`-> worker ${id} starts (pid ${String(worker.pid)})`)
      await ctx.call(worker.until('ready', () => worker.ready))
    }
    const [a, b] = workers as [WorkerProcess, WorkerProcess]

    cluster = await ctx.call(
      connectExecutor({ servers: server.url, name: EXECUTOR, leaseMs: LEASE_MS, maxAttempts: 3 }),
    )
    const ranges = Array.from({ length: JOBS }, (_, k) => [k * RANGE, (k + 1) * RANGE] as const)
    const futures = ranges.map(([from, to]) => cluster!.submit(sumRange, from, to))
    const lanes = 2 * CONCURRENCY
    say(
      `-> the submitter sends ${String(JOBS)} jobs sumRange(k*${String(RANGE)}, (k+1)*${String(RANGE)}), ~${String(SPIN_MS)} ms of CPU each, to ${String(lanes)} lanes on 2 workers (${String(THREADS)} threads each)`,
    )

    // Worker a has just finished a job and pulled the next (it still has ~50 ms to run), and holds
    // another: now it dies.
    let seen = 0
    await ctx.call(
      a.until('a job pulled after three completed', () => {
        const s = a.stats
        if (s === undefined) return false
        const pulled = s.completed > seen && s.running === CONCURRENCY
        seen = s.completed
        return pulled && s.completed >= 3
      }),
    )
    const before = a.stats!
    a.kill('SIGKILL')
    await ctx.call(a.exited)
    say(
      `-> kill -9 worker a (pid ${String(a.pid)}) while it runs ${plural(before.running, 'job')}, after it completed ${String(before.completed)}: ended by ${String(a.exit)}`,
    )
    const killedAt = Date.now()

    const outcomes = await ctx.call(Promise.allSettled(futures))
    say(
      `-> every future settled ${String(Date.now() - killedAt)} ms after the kill (lease ${String(LEASE_MS)} ms)`,
    )

    await cluster.shutdown()
    await ctx.call(b.stop())
    const after = b.final
    if (after === undefined) throw new Error('worker b did not report its final stats')
    say(`-> worker a ran: completed ${String(before.completed)} (its last stats before the kill)`)
    say(
      `-> worker b ran: completed ${String(after.completed)}, redelivered ${String(after.redelivered)} (the jobs worker a held), retried ${String(after.retried)}, failed ${String(after.failed)}`,
    )

    const wrong: string[] = []
    const byAttempts = new Map<number, number[]>()
    for (const [k, outcome] of outcomes.entries()) {
      const [from, to] = ranges[k]!
      const want = expectedSum(from, to)
      if (outcome.status === 'rejected') wrong.push(`job ${String(k)} failed: ${String(outcome.reason)}`)
      else if (outcome.value !== want)
        wrong.push(`job ${String(k)} = ${String(outcome.value)}, not ${String(want)}`)
      const n = futures[k]!.attempts
      byAttempts.set(n, [...(byAttempts.get(n) ?? []), k])
    }
    const attempts = [...byAttempts.entries()]
      .sort(([x], [y]) => x - y)
      .map(
        ([n, jobs]) =>
          `${plural(jobs.length, 'job')} with attempts === ${String(n)}${n > 1 ? ` (job ${jobs.join(', job ')})` : ''}`,
      )
    say(`-> futures: ${attempts.join('; ')}`)
    const again = byAttempts.get(2)?.length ?? 0
    if (after.redelivered > again) {
      say(
        `-> (${plural(after.redelivered - again, 'job')} worker a finished but had not acknowledged ran again on worker b: delivery is at-least-once)`,
      )
    }
    if (wrong.length > 0) throw new Error(`wrong results:\n  ${wrong.join('\n  ')}`)
    say(`-> all ${String(JOBS)} futures settled with the right sum`)
  } finally {
    await cluster?.shutdown({ cancelFutures: true })
    for (const worker of workers) await worker.stop()
    await server.stop()
  }
  const left = pids.filter(alive)
  if (left.length > 0) throw new Error(`processes left running: ${left.join(', ')}`)
  if (existsSync(server.dir)) throw new Error(`${server.dir} was not removed`)
  say(
    `-> worker b and nats-server stopped, its folder removed; no process left (pids ${pids.join(', ')} are gone); ${((Date.now() - began) / 1000).toFixed(1)} s in all`,
  )
}

void run(main, { name: 'demo:jobs' }).then(
  () => undefined,
  (err: unknown) => {
    if (err instanceof TaskKilled)
      say(`-> interrupted (${String(err.reason)}): worker processes and nats-server stopped`)
  },
)
