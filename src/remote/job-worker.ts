/**
 * `serveJobs`: the worker side of a distributed executor. A process pulls jobs from the stream
 * into a local thread or process pool of its own, and sends each result to its submitter.
 *
 * It pulls only as many jobs as it has lanes (one per pool worker by default), one at a time per
 * lane, so a slow machine takes fewer jobs and a dying one holds few. A lane whose pull fails (the
 * server restarted, the consumer's heartbeats stopped) gets the consumer again and goes on: pull
 * consumers can otherwise stall silently after a restart.
 *
 * While a job runs, its lease is renewed every third of the lease by a thread of its own (the lease
 * keeper), so a main thread blocked by the program around it does not lose the jobs it runs; the
 * job itself runs in the pool. A job that fails is
 * retried after its backoff (`nak(delay)`) until it has had its attempts, then fails for good
 * (`term()`) and its submitter gets the last error. A job delivered more times than its attempts
 * (its workers kept dying) fails for good without running again.
 *
 * @module
 */
import { type Consumer, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import {
  connect,
  type ConnectionOptions,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node'
import { checkCount, checkOptions, describe, typeError } from '../errors.js'
import type { Executor } from '../executor/executor.js'
import { Histogram, type Quantiles } from '../executor/histogram.js'
import type { JobFuture } from '../executor/job-future.js'
import { type TaskRef, taskRef, type WorkerFn } from '../executor/task-ref.js'
import { Future } from '../core/future.js'
import type { NatsConnectOptions } from './cluster-options.js'
import { type ClusterExecutorOptions, executorSettings, type ExecutorSettings } from './job-options.js'
import { noRefs } from './codec.js'
import { ensureStream, jobNames, type JobNames, openDead, openResults } from './job-stream.js'
import { decodeJob, type JobMessage, type ResultMessage } from './job-wire.js'
import { type LeaseKeeper, startLeaseKeeper } from './lease-keeper.js'

/** Options of `serveJobs`. @since 0.3.0 */
export interface ServeJobsOptions extends Pick<
  ClusterExecutorOptions,
  'servers' | 'nats' | 'name' | 'leaseMs' | 'dedupWindowMs' | 'resultTtlMs' | 'types' | 'codec'
> {
  /** The local pool the jobs run in. It is not shut down by `stop()`. */
  readonly executor: Executor
  /** Jobs run at once, each pulled when a lane is free (default 2). */
  readonly concurrency?: number | undefined
  /** This worker's id, in results and logs (default: a random one). */
  readonly workerId?: string | undefined
}

/** What a job server counts. @since 0.3.0 */
export interface JobServerStats {
  readonly running: number
  readonly completed: number
  /** Attempts that failed and were retried. */
  readonly retried: number
  /** Jobs that failed for good here. */
  readonly failed: number
  /** Jobs delivered again after another worker lost them (their delivery count was over 1). */
  readonly redelivered: number
  /** Messages on the job subject that were not jobs, dead-lettered without running. */
  readonly rejected: number
  /** Jobs not run because their end was already kept: cancelled, or run by a worker that died before its ack. */
  readonly skipped: number
  /** Time attempts took on this worker (in its pool, waiting included), in µs. */
  readonly runTime: Quantiles
}

/**
 * Serves the distributed executor `opts.name` from this process, running its jobs in
 * `opts.executor`. Resolves once it pulls.
 * @example
 * const pool = new ProcessPoolExecutor({ maxWorkers: 4 })
 * const server = await serveJobs({ servers: 'nats://127.0.0.1:4222', name: 'render', executor: pool, concurrency: 4 })
 * // ... until the process should stop:
 * await server.stop()
 * await pool.shutdown()
 * @since 0.3.0
 */
export function serveJobs(opts: ServeJobsOptions): Promise<JobServer> {
  const o = checkOptions(opts)
  if (o === undefined) throw typeError('opts', 'an options object with an executor', opts)
  const ex = o.executor as Partial<Executor> | undefined
  if (typeof ex !== 'object' || ex === null || typeof ex.submit !== 'function') {
    throw typeError('executor', 'a ThreadPoolExecutor or ProcessPoolExecutor', o.executor)
  }
  const name = o.name ?? 'default'
  if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name)
  const lanes = checkCount('concurrency', o.concurrency ?? 2, 1)
  const settings = executorSettings(o)
  const workerId = o.workerId ?? `w${String(process.pid)}`
  if (typeof workerId !== 'string' || workerId === '')
    throw typeError('workerId', 'a non-empty string', workerId)
  const nats = {
    servers: (o.servers ?? 'nats://127.0.0.1:4222') as string | string[],
    ...(checkOptions(o.nats, 'nats') ?? {}),
  }
  return JobServer._start(nats, name, o.executor, lanes, settings, workerId)
}

/** A running job server (see `serveJobs`). @since 0.3.0 */
export class JobServer {
  /** This worker's id. */
  readonly id: string
  readonly #nc: NatsConnection
  readonly #names: JobNames
  readonly #executor: Executor
  readonly #settings: ExecutorSettings
  readonly #running = new Map<string, JobFuture<unknown>>()
  /** Ids cancelled by their submitters, not running here: skipped if they come. Bounded by clearing. */
  readonly #cancelled = new Set<string>()
  readonly #lanes: Promise<void>[] = []
  #kv: KV | undefined
  #dead: KV | undefined
  #keeper: LeaseKeeper | undefined
  #consumer: Consumer | undefined
  #cancelSub: Subscription | undefined
  #stopping = false
  #stopped: Promise<void> | undefined
  #completed = 0
  #retried = 0
  #failed = 0
  #redelivered = 0
  #rejected = 0
  #skipped = 0
  readonly #runTime = new Histogram()

  private constructor(
    nc: NatsConnection,
    name: string,
    executor: Executor,
    settings: ExecutorSettings,
    id: string,
  ) {
    this.id = id
    this.#nc = nc
    this.#names = jobNames(name)
    this.#executor = executor
    this.#settings = settings
  }

  /** @internal */
  static async _start(
    nats: NatsConnectOptions,
    name: string,
    executor: Executor,
    lanes: number,
    settings: ExecutorSettings,
    id: string,
  ): Promise<JobServer> {
    const nc = await connect(nats as ConnectionOptions)
    try {
      const names = jobNames(name)
      await ensureStream(await jetstreamManager(nc), names, settings)
      const server = new JobServer(nc, name, executor, settings, id)
      server.#consumer = await jetstream(nc).consumers.get(names.stream, names.consumer)
      server.#kv = await openResults(nc, names, settings)
      server.#dead = await openDead(nc, names)
      server.#keeper = await startLeaseKeeper(nats, Math.max(50, settings.leaseMs / 3))
      server.#cancelSub = nc.subscribe(names.cancel, {
        callback: (_err, msg) => {
          server.#onCancel(msg.string())
        },
      })
      await nc.flush()
      for (let i = 0; i < lanes; i++) server.#lanes.push(server.#lane())
      return server
    } catch (err) {
      await nc.close()
      throw err
    }
  }

  /** Counts of this server's jobs. */
  stats(): JobServerStats {
    return {
      running: this.#running.size,
      completed: this.#completed,
      retried: this.#retried,
      failed: this.#failed,
      redelivered: this.#redelivered,
      rejected: this.#rejected,
      skipped: this.#skipped,
      runTime: this.#runTime.snapshot(),
    }
  }

  async #lane(): Promise<void> {
    while (!this.#stopping) {
      let m: JsMsg | null
      try {
        m = await (this.#consumer as Consumer).next({ expires: 1000 })
      } catch {
        if (this.#stopping) return
        // The server restarted or the consumer's heartbeats stopped: get it again and go on.
        await new Promise((r) => setTimeout(r, 250))
        try {
          this.#consumer = await jetstream(this.#nc).consumers.get(this.#names.stream, this.#names.consumer)
        } catch {
          // Still away; the next turn tries again.
        }
        continue
      }
      if (m === null) continue
      await this.#run(m)
    }
  }

  async #run(m: JsMsg): Promise<void> {
    let job: JobMessage
    try {
      job = decodeJob(this.#settings.codec, m.data)
    } catch (err) {
      // Not a job: dead-lettered with why, never retried, never a crash.
      this.#rejected++
      process.emitWarning(
        `verdant: job server ${this.id} rejected a message on ${m.subject}: ${describe(err)}`,
      )
      await this.#deadLetter(`bad-${String(m.seq)}`, {
        raw: m.data,
        reason: `not a job: ${describe(err)}`,
        attempts: m.info.deliveryCount,
      })
      m.term()
      return
    }
    const attempt = m.info.deliveryCount
    if (attempt > 1) this.#redelivered++
    if (this.#cancelled.delete(job.id)) {
      m.ack()
      return
    }
    // A job with an end kept (cancelled, or run to its end by a worker that died before its ack)
    // is not run again; its submitter gets what is kept.
    const kept = await this.#kv?.get(job.id).catch(() => null)
    if (kept !== null && kept !== undefined && kept.operation === 'PUT') {
      this.#skipped++
      try {
        this.#nc.publish(job.to, kept.value)
      } catch {
        // Closed: the submitter reads it from the bucket.
      }
      m.ack()
      return
    }
    if (attempt > job.max) {
      this.#failed++
      const error = new Error('its workers died while running it')
      await this.#deadLetter(job.id, { job, reason: 'out of attempts', error, attempts: attempt - 1 })
      await this.#report(job, { ok: false, error, n: attempt - 1, final: true })
      m.term()
      return
    }
    const keeper = this.#keeper as LeaseKeeper
    keeper.start(m)
    const fn = taskRef(job.m, job.e)
    const started = performance.now()
    let future: JobFuture<unknown>
    try {
      future =
        job.c === 1
          ? this.#runChunk(fn, job)
          : job.t > 0
            ? this.#executor.submit({ timeout: job.t }, fn, ...job.a)
            : this.#executor.submit(fn, ...job.a)
    } catch (err) {
      keeper.end(m)
      await this.#fail(m, job, attempt, err, true)
      return
    }
    this.#running.set(job.id, future)
    try {
      const value = await future
      const rt = this.#took(started)
      this.#completed++
      await this.#report(job, { ok: true, value, n: attempt, rt })
      m.ack()
    } catch (err) {
      this.#took(started)
      if (future.cancelled) m.ack()
      else await this.#fail(m, job, attempt, err, false)
    } finally {
      keeper.end(m)
      this.#running.delete(job.id)
    }
  }

  /**
   * A `map` chunk: its items through the pool's own `map`, collected in order, as one future the
   * job can be cancelled through.
   */
  #runChunk(fn: TaskRef<WorkerFn>, job: JobMessage): JobFuture<unknown> {
    const items = job.a[0]
    if (!Array.isArray(items)) throw new TypeError('a map chunk without its items')
    const controller = new AbortController()
    const chunk = new ChunkFuture(controller)
    const run = async (): Promise<unknown[]> => {
      const out: unknown[] = []
      const opts = job.t > 0 ? { signal: controller.signal, timeout: job.t } : { signal: controller.signal }
      for await (const r of this.#executor.map(fn as TaskRef<(item: unknown) => unknown>, items, opts))
        out.push(r)
      return out
    }
    run().then(
      (v) => chunk._settle('succeeded', v),
      (e: unknown) => chunk._settle(controller.signal.aborted ? 'cancelled' : 'failed', e),
    )
    return chunk as unknown as JobFuture<unknown>
  }

  /** Records an attempt's time on this worker; returns it in µs. */
  #took(started: number): number {
    const micros = (performance.now() - started) * 1000
    this.#runTime.record(micros)
    return micros
  }

  /** An attempt failed: retried after its backoff, or, out of attempts (or hopeless), failed for good. */
  async #fail(m: JsMsg, job: JobMessage, attempt: number, err: unknown, hopeless: boolean): Promise<void> {
    if (!hopeless && attempt < job.max) {
      this.#retried++
      await this.#report(job, { ok: false, error: err, n: attempt, final: false })
      const delay = job.bo[Math.min(attempt - 1, job.bo.length - 1)] ?? 0
      m.nak(delay)
      return
    }
    this.#failed++
    await this.#deadLetter(job.id, {
      job,
      reason: hopeless ? 'could not start' : 'out of attempts',
      error: err,
      attempts: attempt,
    })
    await this.#report(job, { ok: false, error: err, n: attempt, final: true })
    m.term()
  }

  /** Keeps a dead-letter record for an operator to list and requeue (`ClusterExecutor.deadJobs`). */
  async #deadLetter(
    key: string,
    r: { job?: JobMessage; raw?: Uint8Array; reason: string; error?: unknown; attempts: number },
  ): Promise<void> {
    const record = { v: 1, ...r, at: Date.now(), w: this.id }
    let bytes: Uint8Array
    try {
      bytes = this.#settings.codec.encode(record, noRefs)
    } catch (err) {
      bytes = this.#settings.codec.encode(
        { ...record, error: new Error(describe(r.error)), reason: `${r.reason} (${describe(err)})` },
        noRefs,
      )
    }
    await this.#dead?.put(key, bytes).catch(() => undefined)
  }

  /**
   * Sends a job's result to its submitter; a final one is first kept in the results bucket, so a
   * submitter that was away (or another process) reads it there. It is kept before the job's
   * message is acknowledged: a worker that dies in between leaves the job to run again.
   */
  async #report(job: JobMessage, r: Record<string, unknown>): Promise<void> {
    const result = { v: 1, id: job.id, w: this.id, ...r } as ResultMessage
    let bytes: Uint8Array
    try {
      bytes = this.#settings.codec.encode(result, noRefs)
    } catch (err) {
      // A result the codec cannot send fails the job with why, rather than never answering.
      bytes = this.#settings.codec.encode(
        {
          v: 1,
          id: job.id,
          w: this.id,
          ok: false,
          error: new Error(`its result cannot be sent: ${describe(err)}`),
          n: r['n'],
          final: true,
        },
        noRefs,
      )
    }
    if (r['ok'] === true || r['final'] === true) {
      await this.#kv?.put(job.id, bytes).catch(() => undefined)
    }
    try {
      this.#nc.publish(job.to, bytes)
    } catch {
      // Closed: the submitter will not hear; the job's message is acked or retried all the same.
    }
  }

  #onCancel(id: string): void {
    const running = this.#running.get(id)
    if (running !== undefined) {
      running.cancel()
      return
    }
    if (this.#cancelled.size >= 10_000) this.#cancelled.clear()
    this.#cancelled.add(id)
  }

  /**
   * Stops pulling; the jobs running here finish (their results are sent and their messages
   * acknowledged), then the connection closes. The pool is the caller's to shut down. Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.#stopping = true
      await Promise.all(this.#lanes)
      await this.#keeper?.close()
      this.#cancelSub?.unsubscribe()
      await this.#nc.drain().catch(() => this.#nc.close())
    })()
    return this.#stopped
  }
}

/** The future of a `map` chunk on this worker: cancelling it aborts the pool's `map`. */
class ChunkFuture extends Future<unknown> {
  readonly #controller: AbortController
  constructor(controller: AbortController) {
    super()
    this.#controller = controller
  }

  override cancel(msg?: string): boolean {
    if (this.done) return false
    this.#controller.abort(msg)
    return this._settle('cancelled', msg ?? 'cancelled')
  }
}
