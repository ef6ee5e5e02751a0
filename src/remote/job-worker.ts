/**
 * `serveJobs`: the worker side of a distributed executor. A process pulls jobs from the stream
 * into a local thread or process pool of its own, and sends each result to its submitter.
 *
 * It holds only as many jobs as it has lanes (one per pool worker by default): a lane asks for a
 * job when it is free, so a slow machine takes fewer jobs and a dying one holds few. The pulls'
 * heartbeats are watched, and pulls lost in a server restart are sent again (job-puller.ts).
 *
 * While a job runs, its lease is renewed every third of the lease by a thread of its own (the lease
 * keeper), so a main thread blocked by the program around it does not lose the jobs it runs; the
 * job itself runs in the pool. A job that fails is retried after its backoff (a delayed nak) until
 * it has had its attempts, then fails for good (a term) and its submitter gets the last error. A
 * job delivered more times than its attempts (its workers kept dying) fails for good without
 * running again.
 *
 * A result goes to its submitter as a request: a submitter that is there answers that it has it,
 * and the job is acknowledged; one that is gone (no responders) or silent has the result kept in the
 * results bucket for `getResult`. A job with an id given at `submit` always has its result kept.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { KV } from '@nats-io/kv'
import {
  connect,
  type ConnectionOptions,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node'
import { checkCount, checkOptions, describe, TimeoutError, typeError } from '../errors.js'
import type { Executor } from '../executor/executor.js'
import { Histogram, type Quantiles } from '../executor/histogram.js'
import type { JobInfo } from '../executor/job-info.js'
import type { JobFuture } from '../executor/job-future.js'
import type { NatsConnectOptions } from './cluster-options.js'
import {
  type ClusterExecutorOptions,
  type ClusterWorkerStats,
  executorSettings,
  type ExecutorSettings,
} from './job-options.js'
import { noRefs } from './codec.js'
import { InboxRequests } from './inbox-requests.js'
import { type Delivery, JobPuller } from './job-puller.js'
import { LocalRuns } from './local-runs.js'
import { ensureStream, jobNames, type JobNames, openDead, openResults } from './job-stream.js'
import { decodeJob, type JobMessage, type ResultMessage } from './job-wire.js'
import { type LeaseKeeper, startLeaseKeeper } from './lease-keeper.js'
import { jetstreamManager } from '@nats-io/jetstream'
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

/** What a job server says about itself every second, heard by the submitters' `stats()`. @internal */
export interface WorkerReport extends Omit<ClusterWorkerStats, 'lastSeenMs'> {
  /** Set in the last report of a server that stops. */
  readonly stopped?: true
}

/** How often a job server reports itself, in ms. */
export const REPORT_MS = 1000

/** A running job server (see `serveJobs`). @since 0.3.0 */
export class JobServer {
  /** This worker's id. */
  readonly id: string
  readonly #nc: NatsConnection
  readonly #names: JobNames
  readonly #settings: ExecutorSettings
  readonly #lanes: number
  readonly #running = new Map<string, JobFuture<unknown>>()
  /** Ids cancelled by their submitters, not running here: skipped if they come. Bounded by clearing. */
  readonly #cancelled = new Set<string>()
  /** Every delivery being handled, until its ack. */
  readonly #handling = new Set<Promise<void>>()
  readonly #runTime = new Histogram()
  readonly #runs: LocalRuns
  /** Deliveries holding a lane: taken, and not done in the pool yet. */
  #busy = 0
  #puller!: JobPuller
  /** Results waiting for their submitters to take them. */
  #claims!: InboxRequests
  #kv!: KV
  #dead!: KV
  #keeper!: LeaseKeeper
  #cancelSub: Subscription | undefined
  #reportTimer: NodeJS.Timeout | undefined
  #stopping = false
  #stopped: Promise<void> | undefined
  #completed = 0
  #retried = 0
  #failed = 0
  #redelivered = 0
  #rejected = 0
  #skipped = 0

  private constructor(
    nc: NatsConnection,
    name: string,
    executor: Executor,
    lanes: number,
    settings: ExecutorSettings,
    id: string,
  ) {
    this.id = id
    this.#nc = nc
    this.#names = jobNames(name)
    this.#runs = new LocalRuns(executor)
    this.#lanes = lanes
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
      const s = new JobServer(nc, name, executor, lanes, settings, id)
      s.#kv = await openResults(nc, names, settings)
      s.#dead = await openDead(nc, names)
      s.#keeper = await startLeaseKeeper(nc, nats, Math.max(50, settings.leaseMs / 3))
      // Heard before the first pull: a job cancelled after it reached this server is known here.
      s.#cancelSub = nc.subscribe(names.cancel, {
        callback: (_err, msg) => {
          s.#onCancel(msg.string())
        },
      })
      const inboxPrefix = (nats as { inboxPrefix?: string }).inboxPrefix ?? '_INBOX'
      s.#claims = new InboxRequests(nc, inboxPrefix, CLAIM_MS)
      s.#puller = new JobPuller(
        nc,
        inboxPrefix,
        names.stream,
        names.consumer,
        () => s.#lanes - s.#busy,
        (d) => {
          s.#take(d)
        },
        () => {
          // The consumer may be gone with a server that lost its state: made again if so.
          void jetstreamManager(nc)
            .then((jsm) => ensureStream(jsm, names, settings))
            .catch(() => undefined)
        },
      )
      await nc.flush()
      s.#puller.topUp()
      s.#reportTimer = setInterval(() => {
        s.#sendReport()
      }, REPORT_MS)
      s.#reportTimer.unref()
      s.#sendReport()
      void s.#followStatus()
      return s
    } catch (err) {
      await nc.close()
      throw err
    }
  }

  /** Counts of this server's jobs. */
  stats(): JobServerStats {
    return {
      running: this.#busy,
      completed: this.#completed,
      retried: this.#retried,
      failed: this.#failed,
      redelivered: this.#redelivered,
      rejected: this.#rejected,
      skipped: this.#skipped,
      runTime: this.#runTime.snapshot(),
    }
  }

  #sendReport(stopped = false): void {
    const r: WorkerReport = {
      id: this.id,
      lanes: this.#lanes,
      running: this.#busy,
      completed: this.#completed,
      failed: this.#failed,
      redelivered: this.#redelivered,
      ...(stopped && { stopped: true }),
    }
    try {
      this.#nc.publish(this.#names.workers, JSON.stringify(r))
    } catch {
      // Closed or reconnecting: the next report says it.
    }
  }

  /** After a reconnect the server has forgotten this server's pulls: they are sent again. */
  async #followStatus(): Promise<void> {
    for await (const s of this.#nc.status()) {
      if (s.type !== 'reconnect' || this.#stopping) continue
      this.#puller.forget()
      this.#puller.topUp()
    }
  }

  /** A delivery holds a lane from here until its job is done in the pool. */
  #take(d: Delivery): void {
    this.#busy++
    let held = true
    const release = (): void => {
      if (!held) return
      held = false
      this.#busy--
      this.#puller.topUp()
    }
    const handled = this.#handle(d, release)
      .catch((err: unknown) => {
        process.emitWarning(`verdant: job server ${this.id} failed on a delivery: ${describe(err)}`)
      })
      .finally(() => {
        release()
        this.#handling.delete(handled)
      })
    this.#handling.add(handled)
  }

  async #handle(d: Delivery, release: () => void): Promise<void> {
    let job: JobMessage
    try {
      job = decodeJob(this.#settings.codec, d.data)
    } catch (err) {
      // Not a job: dead-lettered with why, never retried, never a crash.
      this.#rejected++
      process.emitWarning(`verdant: job server ${this.id} rejected a message: ${describe(err)}`)
      await this.#deadLetter(`bad-${String(d.seq)}`, {
        raw: d.data,
        reason: `not a job: ${describe(err)}`,
        attempts: d.deliveryCount,
      })
      this.#answer(d, '+TERM')
      return
    }
    const attempt = d.deliveryCount
    if (attempt > 1) this.#redelivered++
    // A redelivery looks for a kept end first; a cancel may be heard meanwhile.
    const kept = attempt > 1 && (await this.#sentKept(job))
    if (this.#cancelled.delete(job.id) || kept) {
      // Cancelled, or run to its end by a worker that died before its ack: not run again.
      this.#skipped++
      this.#answer(d, '+ACK')
      return
    }
    if (attempt > job.max) {
      this.#failed++
      const error = new Error('its workers died while running it')
      await this.#deadLetter(job.id, { job, reason: 'out of attempts', error, attempts: attempt - 1 })
      if (await this.#report(job, { ok: false, error, n: attempt - 1, final: true, dl: 1 })) {
        this.#answer(d, '+TERM')
      }
      return
    }
    if (job.qd !== undefined) {
      if (Date.now() > job.qd) {
        this.#skipped++
        const error = new TimeoutError(`job ${job.e} (${job.id}) was not started within its queue timeout`)
        if (await this.#report(job, { ok: false, error, n: attempt - 1, final: true, q: 1 })) {
          this.#answer(d, '+ACK')
        }
        return
      }
      // Its submitter times it out only if it has not started.
      this.#publish(job.to, { v: 1, id: job.id, started: true, n: attempt, w: this.id })
    }
    this.#keeper.start(d.ackSubject)
    try {
      await this.#attempt(d, job, attempt, release)
    } finally {
      this.#keeper.end(d.ackSubject)
    }
  }

  async #attempt(d: Delivery, job: JobMessage, attempt: number, release: () => void): Promise<void> {
    const started = performance.now()
    const info: JobInfo = {
      id: job.id,
      attempt,
      maxAttempts: job.max,
      deadline: job.t > 0 ? Date.now() + job.t : undefined,
      worker: this.id,
    }
    const opts = {
      ...(job.t > 0 && { timeout: job.t }),
      ...(job.ka !== undefined && { killAfterMs: job.ka }),
    }
    let future: JobFuture<unknown>
    try {
      future = job.c === 1 ? this.#runs.chunk(job, info, opts) : this.#runs.one(job, info, opts)
    } catch (err) {
      release()
      await this.#fail(d, job, attempt, err, true)
      return
    }
    this.#running.set(job.id, future)
    let value: unknown
    try {
      value = await future
    } catch (err) {
      this.#took(started)
      release()
      if (future.cancelled) this.#answer(d, '+ACK')
      else await this.#fail(d, job, attempt, err, false)
      return
    } finally {
      this.#running.delete(job.id)
    }
    const rt = this.#took(started)
    release()
    this.#completed++
    if (await this.#report(job, { ok: true, value, n: attempt, rt })) this.#answer(d, '+ACK')
  }

  /** Records an attempt's time on this worker; returns it in µs. */
  #took(started: number): number {
    const micros = (performance.now() - started) * 1000
    this.#runTime.record(micros)
    return micros
  }

  /** An attempt failed: retried after its backoff, or, out of attempts (or hopeless), failed for good. */
  async #fail(d: Delivery, job: JobMessage, attempt: number, err: unknown, hopeless: boolean): Promise<void> {
    if (!hopeless && attempt < job.max) {
      this.#retried++
      await this.#report(job, { ok: false, error: err, n: attempt, final: false })
      const delay = job.bo[Math.min(attempt - 1, job.bo.length - 1)] ?? 0
      this.#answer(d, delay > 0 ? `-NAK ${JSON.stringify({ delay: delay * 1_000_000 })}` : '-NAK')
      return
    }
    this.#failed++
    await this.#deadLetter(job.id, {
      job,
      reason: hopeless ? 'could not start' : 'out of attempts',
      error: err,
      attempts: attempt,
    })
    if (await this.#report(job, { ok: false, error: err, n: attempt, final: true, dl: 1 })) {
      this.#answer(d, '+TERM')
    }
  }

  /** Acks, naks or terms a delivery. */
  #answer(d: Delivery, what: string): void {
    try {
      this.#nc.publish(d.ackSubject, what)
    } catch {
      // Closed: the lease runs out and the job goes to another worker.
    }
  }

  /** If `job` has an end kept, sends it to its submitter and says so. */
  async #sentKept(job: JobMessage): Promise<boolean> {
    const kept = await this.#kv.get(job.id).catch(() => null)
    if (kept === null || kept.operation !== 'PUT') return false
    this.#publish(job.to, kept.value)
    return true
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
    await this.#dead.put(key, bytes).catch(() => undefined)
  }

  /**
   * Sends a job's result to its submitter. A final failure, and the result of a job whose id was
   * given, is kept in the results bucket first; any other result is a request its submitter
   * answers, kept only if nobody does. A result neither taken nor kept (the server is away) is
   * tried again until it is, while the lease is renewed, so the job is not run again for it.
   * Resolves false only if this server stops first: the job is then left unacknowledged, to be
   * delivered again.
   */
  async #report(job: JobMessage, r: Record<string, unknown>): Promise<boolean> {
    const bytes = this.#encodeResult(job, r)
    if (r['ok'] !== true && r['final'] !== true) {
      this.#publish(job.to, bytes)
      return true
    }
    const keep = r['ok'] !== true || job.k === 1
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      if (await this.#handOver(job, bytes, keep)) return true
      if (this.#stopping) return false
      await sleep(wait)
    }
  }

  async #handOver(job: JobMessage, bytes: Uint8Array, keep: boolean): Promise<boolean> {
    if (!keep) {
      const taken = await new Promise<boolean>((resolve) => {
        this.#claims.send(job.to, bytes, (reply) => {
          resolve(reply !== undefined)
        })
      })
      // Else no responders (its submitter is gone or away) or no answer: kept for `getResult`.
      if (taken) return true
    }
    try {
      await this.#kv.put(job.id, bytes)
    } catch {
      return false
    }
    this.#publish(job.to, bytes)
    return true
  }

  #encodeResult(job: JobMessage, r: Record<string, unknown>): Uint8Array {
    const result = { v: 1, id: job.id, w: this.id, ...r } as ResultMessage
    try {
      return this.#settings.codec.encode(result, noRefs)
    } catch (err) {
      // A result the codec cannot send fails the job with why, rather than never answering.
      const error = new Error(`its result cannot be sent: ${describe(err)}`)
      return this.#settings.codec.encode(
        { v: 1, id: job.id, w: this.id, ok: false, error, n: r['n'], final: true },
        noRefs,
      )
    }
  }

  #publish(subject: string, message: Uint8Array | ResultMessage): void {
    try {
      this.#nc.publish(
        subject,
        message instanceof Uint8Array ? message : this.#settings.codec.encode(message, noRefs),
      )
    } catch {
      // Closed: the submitter reads what is kept from the bucket.
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
      // No more pulls, and none answered: the server drops the pulls of a subject nobody hears.
      this.#puller.close()
      clearInterval(this.#reportTimer)
      while (this.#handling.size > 0) await Promise.all(this.#handling)
      this.#sendReport(true)
      this.#claims.close()
      await this.#keeper.close()
      this.#cancelSub?.unsubscribe()
      await this.#nc.drain().catch(() => this.#nc.close())
    })()
    return this.#stopped
  }
}

/** How long a worker waits for a submitter to take a result before it keeps it in the bucket. */
const CLAIM_MS = 2000
