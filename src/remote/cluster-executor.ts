/**
 * `ClusterExecutor`: the submitting side of a distributed executor. Jobs go into a JetStream
 * work-queue stream and are run by worker processes on any machine (`serveJobs`); each job is a
 * `JobFuture`, as with the local pools, settled by the result its worker sends back.
 *
 * Delivery is at-least-once: a job whose worker dies is delivered again after its lease, and a
 * failing job is retried with backoff until it has had `maxAttempts`. A job id resubmitted within
 * the stream's dedup window is the same job (JetStream drops the duplicate), so a submitter that
 * retries a `submit` after a timeout does not run it twice.
 *
 * @module
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { KV } from '@nats-io/kv'
import {
  connect,
  type ConnectionOptions,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node'
import {
  CancelledError,
  checkCount,
  checkMs,
  checkOptions,
  checkSignal,
  describe,
  TimeoutError,
  typeError,
} from '../errors.js'
import { Future } from '../core/future.js'
import { observe, unobserve } from '../platform/observed.js'
import { type ExecutorMapOptions, mapSettings } from '../executor/executor-options.js'
import { mapChunks } from '../executor/executor-map.js'
import { JobFuture, type JobOwner } from '../executor/job-future.js'
import {
  checkTaskRef,
  type TaskArgs,
  type TaskRef,
  type TaskReturn,
  type WorkerFn,
} from '../executor/task-ref.js'
import { type NatsConnectOptions, randomToken } from './cluster-options.js'
import { noRefs } from './codec.js'
import {
  checkBackoff,
  type ClusterExecutorOptions,
  type ClusterExecutorStats,
  type ClusterSubmitOptions,
  type DeadJob,
  executorSettings,
  type ExecutorSettings,
  JOB_ID,
} from './job-options.js'
import { ensureStream, jobNames, type JobNames, openDead, openResults } from './job-stream.js'
import { listDead, readDead } from './dead-letters.js'
import { JobFailedError } from './job-failed-error.js'
import { decodeResult, encodeJob, type JobMessage } from './job-wire.js'
import { InboxRequests } from './inbox-requests.js'
import { markStored, type PendingJob, publishJob, type PublishContext, storedAt } from './job-publish.js'
import { SubmitterStats } from './submitter-stats.js'

/** How long a job's publish waits for the stream's answer before it is sent again. */
const PUBLISH_ACK_MS = 5000

let nextLocalId = 0

/**
 * Connects a submitter to the distributed executor `opts.name` and resolves once it can submit.
 * **Throws**: `TypeError`/`RangeError` at the call for a bad option.
 * @example
 * const cluster = await connectExecutor({ servers: 'nats://127.0.0.1:4222', name: 'render' })
 * const frame = await cluster.submit(renderFrame, 42) // run by a worker on any machine
 * await cluster.shutdown()
 * @since 0.3.0
 */
export function connectExecutor(opts?: ClusterExecutorOptions): Promise<ClusterExecutor> {
  const o = checkOptions(opts)
  const servers = o?.servers ?? 'nats://127.0.0.1:4222'
  const name = o?.name ?? 'default'
  if (typeof name !== 'string' || name === '') throw typeError('name', 'a non-empty string', name)
  const settings = executorSettings(o)
  return ClusterExecutor._connect(
    { servers: servers, ...(checkOptions(o?.nats, 'nats') ?? {}) },
    name,
    settings,
  )
}

/**
 * The submitting side of a distributed executor (see the module comment).
 * @since 0.3.0
 */
export class ClusterExecutor implements JobOwner, AsyncDisposable {
  /** The executor's name. */
  readonly name: string
  /** This submitter's id: its results come to a subject of its own. */
  readonly id: string
  readonly #nc: NatsConnection
  /** Job publishes waiting for the stream's answer, and nothing else. */
  readonly #requests: InboxRequests
  readonly #publishing: PublishContext
  readonly #jsm: JetStreamManager
  readonly #names: JobNames
  readonly #settings: ExecutorSettings
  readonly #pending = new Map<string, PendingJob>()
  readonly #byJob = new Map<JobFuture<unknown>, PendingJob>()
  readonly #ids = new WeakMap<JobFuture<unknown>, string>()
  readonly #sub: Subscription
  readonly #kv: KV
  readonly #dead: KV
  readonly #stats: SubmitterStats
  /** Cancelled or timed-out jobs being taken out of the stream. */
  readonly #withdrawing = new Set<Promise<void>>()
  #shutDown = false
  readonly #idle = new Future<void>()
  readonly #idPrefix = randomToken(12)
  #idCount = 0

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    name: string,
    settings: ExecutorSettings,
    kv: KV,
    dead: KV,
    inboxPrefix: string,
  ) {
    this.#kv = kv
    this.#jsm = jsm
    this.#dead = dead
    this.name = name
    this.id = `s${randomToken(12)}`
    this.#nc = nc
    this.#names = jobNames(name)
    this.#settings = settings
    this.#requests = new InboxRequests(nc, inboxPrefix, PUBLISH_ACK_MS)
    this.#publishing = {
      requests: this.#requests,
      subject: this.#names.jobs,
      dedupWindowMs: settings.dedupWindowMs,
      live: (p) => this.#pending.get(p.id) === p,
      duplicate: (p) => void this.#awaitKept(p),
      failed: (p, error) => {
        this.#settle(p, 'failed', new JobFailedError(p.id, p.name, 0, error))
      },
    }
    this.#sub = nc.subscribe(this.#names.resultsOf(this.id), {
      callback: (_err, msg) => {
        this.#onResult(msg.data)
        // A result sent as a request is taken: its worker need not keep it.
        if (msg.reply !== undefined && msg.reply !== '') msg.respond()
      },
    })
    this.#stats = new SubmitterStats(nc, jsm, this.#names, () => this.#pending.size > 0)
    observe('cluster-executor', this)
  }

  /** @internal */
  static async _connect(
    nats: NatsConnectOptions,
    name: string,
    settings: ExecutorSettings,
  ): Promise<ClusterExecutor> {
    const nc = await connect(nats as ConnectionOptions)
    try {
      const names = jobNames(name)
      const jsm = await jetstreamManager(nc)
      await ensureStream(jsm, names, settings)
      const ex = new ClusterExecutor(
        nc,
        jsm,
        name,
        settings,
        await openResults(nc, names, settings),
        await openDead(nc, names),
        (nats as { inboxPrefix?: string }).inboxPrefix ?? '_INBOX',
      )
      await nc.flush()
      void ex.#followStatus()
      return ex
    } catch (err) {
      await nc.close()
      throw err
    }
  }

  /**
   * Submits `fn(...args)` to the cluster; `submit(opts, fn, ...args)` with per-job options.
   * **Throws** at the call: `TypeError` for a function that is not a task ref or an argument the
   * codec cannot send (naming its index and type), `RangeError` for a payload over the server's
   * `max_payload`, `Error` after `shutdown()`.
   */
  submit<R extends TaskRef<WorkerFn>>(fn: R, ...args: TaskArgs<R>): JobFuture<TaskReturn<R>>
  submit<R extends TaskRef<WorkerFn>>(
    opts: ClusterSubmitOptions,
    fn: R,
    ...args: TaskArgs<R>
  ): JobFuture<TaskReturn<R>>
  submit(first: unknown, ...rest: unknown[]): JobFuture<unknown> {
    const withOpts = typeof first === 'object' && first !== null && !('moduleUrl' in first)
    const opts = (withOpts ? first : undefined) as ClusterSubmitOptions | undefined
    const fn = withOpts ? rest[0] : first
    const args = withOpts ? rest.slice(1) : rest
    if (this.#shutDown) throw new Error(`executor ${this.name} is shut down`)
    const ref = checkTaskRef(fn, 'fn')
    const id = opts?.id ?? this.#newId()
    if (typeof id !== 'string' || !JOB_ID.test(id)) {
      throw typeError('opts.id', 'letters, digits, `-`, `_`, `=` and inner `.` (a KV key)', id)
    }
    const maxAttempts =
      opts?.maxAttempts === undefined
        ? this.#settings.maxAttempts
        : checkCount('maxAttempts', opts.maxAttempts, 1)
    const backoff = opts?.backoffMs === undefined ? this.#settings.backoffMs : checkBackoff(opts.backoffMs)
    const signal = checkSignal(opts?.signal)
    if (opts?.timeout !== undefined && opts.runTimeoutMs !== undefined) {
      throw new TypeError('give `timeout` or `runTimeoutMs`, not both')
    }
    const runLimit = opts?.timeout ?? opts?.runTimeoutMs
    const timeout =
      runLimit === undefined ? 0 : checkMs(opts?.timeout === undefined ? 'runTimeoutMs' : 'timeout', runLimit)
    const queueTimeout =
      opts?.queueTimeoutMs === undefined ? Infinity : checkMs('queueTimeoutMs', opts.queueTimeoutMs)
    const killAfter = opts?.killAfterMs === undefined ? undefined : checkMs('killAfterMs', opts.killAfterMs)
    const label = ref.exportName
    const bytes = this.#encode({
      v: 1,
      id,
      m: ref.moduleUrl,
      e: ref.exportName,
      a: args,
      to: this.#names.result(this.id),
      max: maxAttempts,
      bo: backoff,
      t: timeout === Infinity ? 0 : timeout,
      ...((opts?.id !== undefined || this.#settings.keepAll) && { k: 1 as const }),
      ...(queueTimeout !== Infinity && { qd: Date.now() + queueTimeout }),
      ...(killAfter !== undefined && killAfter !== Infinity && { ka: killAfter }),
    })
    if (signal?.aborted === true) {
      // Never sent, so nothing to withdraw.
      const job = new JobFuture<unknown>(this, ++nextLocalId, 0, label, [], undefined, 0)
      job._settle('cancelled', new CancelledError(`job ${label} was cancelled`, signal.reason))
      return job
    }
    const job = this.#track(id, label, bytes, id, queueTimeout)
    if (signal !== undefined) job._cancelOnAbort(signal)
    return job
  }

  #track(
    id: string,
    label: string,
    bytes: Uint8Array,
    msgID: string,
    queueTimeout = Infinity,
  ): JobFuture<unknown> {
    const pending = this.#newPending(id, label)
    const job = pending.job
    publishJob(this.#publishing, pending, bytes, msgID)
    if (queueTimeout !== Infinity) {
      pending.timer = setTimeout(() => {
        if (pending.started) return
        const error = new TimeoutError(
          `job ${label} (${id}) was not started within ${String(queueTimeout)} ms`,
        )
        this.#withdraw(pending, { ok: false, error, final: true })
        this.#settle(pending, 'failed', error)
      }, queueTimeout)
    }
    return job
  }

  /**
   * A job id no other submitter makes: this submitter's random part and a count. Random bytes per
   * job were a measurable share of a submit.
   */
  #newId(): string {
    return `j${this.#idPrefix}${(++this.#idCount).toString(36)}`
  }

  /** A future for job `id`, pending until its end comes. */
  #newPending(id: string, label: string): PendingJob {
    const job = new JobFuture<unknown>(this, ++nextLocalId, 0, label, [], undefined, 0)
    const pending: PendingJob = {
      job,
      id,
      name: label,
      at: performance.now(),
      seq: undefined,
      acked: false,
      whenAcked: undefined,
      started: false,
      retries: 0,
      timer: undefined,
    }
    this.#pending.set(id, pending)
    this.#byJob.set(job, pending)
    this.#ids.set(job, id)
    return pending
  }

  /** Settles `p` from the end kept for its id, now or when it is kept. */
  async #awaitKept(p: PendingJob): Promise<void> {
    const watch = await this.#kv.watch({ key: p.id })
    const stop = (): void => {
      watch.stop()
    }
    p.job.addDoneCallback(stop)
    try {
      for await (const e of watch) {
        if (e.operation !== 'PUT') continue
        this.#onResult(e.value)
        break
      }
    } finally {
      p.job.removeDoneCallback(stop)
      watch.stop()
    }
  }

  /**
   * Runs `fn` on every item across the cluster, lazily and with a bounded number of jobs in flight,
   * yielding results in input order (or as they complete with `ordered: false`), as the local
   * pools' `map` does; a job carries `chunksize` items, run on its worker by its pool's `map`. The
   * first failure cancels what is in flight and is thrown; leaving the loop early cancels it too.
   * **Throws**: `TypeError`/`RangeError` at the call for a bad function, input or option.
   * @example
   * for await (const frame of cluster.map(render, scenes, { chunksize: 4 })) save(frame)
   */
  map<T, R>(
    fn: TaskRef<(item: T) => R>,
    items: Iterable<T> | AsyncIterable<T>,
    opts: ExecutorMapOptions = {},
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    if (this.#shutDown) throw new Error(`executor ${this.name} is shut down`)
    const ref = checkTaskRef(fn, 'map()')
    // The default window: 16 jobs in flight, the cluster's size being unknown here.
    const settings = mapSettings(items, opts, 8)
    const submit = (chunk: T[]): JobFuture<Awaited<R>[]> => {
      if (this.#shutDown) throw new Error(`executor ${this.name} is shut down`)
      const id = this.#newId()
      const bytes = this.#encode({
        v: 1,
        id,
        m: ref.moduleUrl,
        e: ref.exportName,
        a: [chunk],
        to: this.#names.result(this.id),
        max: this.#settings.maxAttempts,
        bo: this.#settings.backoffMs,
        t: 0,
        c: 1,
      })
      return this.#track(id, ref.exportName, bytes, id) as JobFuture<Awaited<R>[]>
    }
    return mapChunks(submit, items, settings)
  }

  /** A job's bytes; one over the server's `max_payload` is refused here, before anything is sent. */
  #encode(msg: JobMessage): Uint8Array {
    const what = msg.c === 1 ? `a map chunk of ${msg.e}` : `job ${msg.e}`
    const bytes = encodeJob(this.#settings.codec, msg, msg.e)
    const max = this.#nc.info?.max_payload ?? 1024 * 1024
    if (bytes.length > max) {
      throw new RangeError(`${what} is ${String(bytes.length)} bytes, over the limit of ${String(max)} bytes`)
    }
    return bytes
  }

  /** @internal JobOwner: a cancelled job settles at once; its worker, if any, is asked to stop it. */
  _cancel(job: JobFuture<unknown>, message: string): void {
    const p = this.#byJob.get(job)
    if (p === undefined) return
    this.#withdraw(p, { ok: false, cancelled: true, final: true })
    this.#settle(p, 'cancelled', message)
  }

  /**
   * Makes sure a cancelled or timed-out job does not run: its end is kept (a redelivery finds
   * it), it is deleted from the stream (no worker gets it any more), and the workers are told
   * before and after (one running it stops it; one that has it and has not started skips it).
   */
  #withdraw(p: PendingJob, end: Record<string, unknown>): void {
    const tell = (): void => {
      try {
        this.#nc.publish(this.#names.cancel, p.id)
      } catch {
        // Closed: no worker will hear of it, nor send its result anywhere.
      }
    }
    tell()
    const record = { v: 1, id: p.id, n: p.job.attempts, w: this.id, ...end }
    let bytes: Uint8Array
    try {
      bytes = this.#settings.codec.encode(record, noRefs)
    } catch {
      bytes = this.#settings.codec.encode({ ...record, error: new Error(describe(end['error'])) }, noRefs)
    }
    const work = (async () => {
      // `create`, not `put`: a job that already ended keeps its result.
      await this.#kv.create(p.id, bytes).catch(() => undefined)
      const seq = await storedAt(p)
      if (seq !== undefined) {
        await this.#jsm.streams.deleteMessage(this.#names.stream, seq, false).catch(() => undefined)
      }
      tell()
    })()
    this.#withdrawing.add(work)
    void work.finally(() => this.#withdrawing.delete(work))
  }

  /**
   * The job id of a future this submitter returned (given at `submit`, or generated): the key of
   * its result for `getResult`, and what its function reads as `jobInfo().id`.
   */
  jobId(job: JobFuture<unknown>): string | undefined {
    return this.#ids.get(job)
  }

  /**
   * The final result of job `jobId`, kept for `resultTtlMs` after it ended: `{ value }` for a
   * job that succeeded, a rejection with `JobFailedError` for one that failed, `undefined` if no
   * result is kept (still running, never submitted, expired, or taken by its submitter: see
   * `keepResults`). Any process of the executor's name may ask, the submitter or another.
   */
  getResult(jobId: string): Promise<{ readonly value: unknown } | undefined> {
    // Not async: a bad id throws at the call.
    if (typeof jobId !== 'string' || !JOB_ID.test(jobId)) throw typeError('jobId', 'a job id', jobId)
    return this.#getResult(jobId)
  }

  async #getResult(jobId: string): Promise<{ readonly value: unknown } | undefined> {
    const entry = await this.#kv.get(jobId)
    if (entry === null || entry.operation !== 'PUT') return undefined
    const r = decodeResult(this.#settings.codec, entry.value)
    if ('started' in r) return undefined
    if (r.ok) return { value: r.value }
    if (r.cancelled === true) throw new CancelledError(`job ${jobId} was cancelled`)
    throw new JobFailedError(r.id, jobId, r.n, r.error)
  }

  /** The dead-letter records of this executor's name, oldest first (any submitter may list them). */
  deadJobs(): Promise<DeadJob[]> {
    return listDead(this.#dead, this.#settings.codec)
  }

  /**
   * Submits a dead job again under its id, with its attempts anew, and drops its record. Returns
   * its future at once (not a promise of it: a future is awaitable, and a promise would wait for
   * its result); the future fails if there is no such record or it is not a job.
   * **Throws**: `TypeError` at the call for a key that cannot be one.
   */
  requeue(key: string): JobFuture<unknown> {
    if (typeof key !== 'string' || !JOB_ID.test(key)) throw typeError('key', 'a dead-letter key', key)
    if (this.#shutDown) throw new Error(`executor ${this.name} is shut down`)
    const pending = this.#newPending(key, key)
    const job = pending.job
    void (async () => {
      const record = await readDead(this.#dead, this.#settings.codec, key)
      if (record?.job === undefined) throw new Error(`no dead job ${JSON.stringify(key)} to requeue`)
      await this.#dead.delete(key)
      // Its kept failure would make workers skip it as ended.
      await this.#kv.delete(key)
      const msg: JobMessage = { ...record.job, to: this.#names.result(this.id) }
      const bytes = encodeJob(this.#settings.codec, msg, msg.e)
      publishJob(this.#publishing, pending, bytes, `${key}.requeue.${String(Date.now())}`)
    })().catch((err: unknown) => {
      markStored(pending, undefined)
      this.#settle(pending, 'failed', err)
    })
    return job
  }

  /** Drops a dead-letter record; false if there was none. */
  async dropDead(key: string): Promise<boolean> {
    if (typeof key !== 'string' || !JOB_ID.test(key)) throw typeError('key', 'a dead-letter key', key)
    if ((await readDead(this.#dead, this.#settings.codec, key)) === undefined) return false
    await this.#dead.delete(key)
    return true
  }

  /** After a reconnect, the results that came while this submitter was away are read from the bucket. */
  async #followStatus(): Promise<void> {
    for await (const s of this.#nc.status()) {
      if (s.type !== 'reconnect') continue
      for (const p of [...this.#pending.values()]) {
        const entry = await this.#kv.get(p.id).catch(() => null)
        if (entry !== null && entry.operation === 'PUT') this.#onResult(entry.value)
      }
    }
  }

  #onResult(bytes: Uint8Array): void {
    let r
    try {
      r = decodeResult(this.#settings.codec, bytes)
    } catch {
      return
    }
    const p = this.#pending.get(r.id)
    if (p === undefined) return
    if ('started' in r) {
      p.started = true
      return
    }
    p.job._attempts = r.n
    const stats = this.#stats
    if (!r.ok && r.cancelled === true) {
      // Cancelled by another process while this one waited for it.
      this.#settle(p, 'cancelled', `job ${p.name} was cancelled`)
      return
    }
    if (!r.ok && !r.final) {
      p.retries++
      stats.retried++
      return
    }
    // Deliveries beyond its first and its retries: workers lost it.
    stats.redelivered += Math.max(0, r.n - 1 - p.retries)
    if (r.ok) {
      const rt = typeof r.rt === 'number' ? r.rt : 0
      stats.runTime.record(rt)
      stats.waitTime.record(Math.max(0, (performance.now() - p.at) * 1000 - rt))
      this.#settle(p, 'succeeded', r.value)
    } else {
      if (r.dl === 1) stats.deadLettered++
      this.#settle(p, 'failed', r.q === 1 ? r.error : new JobFailedError(r.id, p.name, r.n, r.error))
    }
  }

  #settle(p: PendingJob, outcome: 'succeeded' | 'failed' | 'cancelled', value: unknown): void {
    if (this.#pending.get(p.id) !== p) return
    this.#pending.delete(p.id)
    this.#byJob.delete(p.job)
    clearTimeout(p.timer)
    if (outcome === 'succeeded') this.#stats.completed++
    else if (outcome === 'failed') this.#stats.failed++
    else this.#stats.cancelled++
    p.job._settle(outcome, value)
    if (this.#pending.size === 0 && this.#shutDown) this.#idle.setResult(undefined)
  }

  /**
   * The cluster's queue and job servers as they last reported, and this submitter's own jobs, in
   * the shape of the local pools' stats.
   */
  stats(): ClusterExecutorStats {
    return this.#stats.snapshot(this.#pending.size)
  }

  /**
   * Stops taking jobs; with `wait` (default) waits for the results of the jobs submitted, with
   * `cancelFutures` cancels them first. Then closes the connection. Idempotent.
   */
  async shutdown(opts?: {
    readonly wait?: boolean | undefined
    readonly cancelFutures?: boolean | undefined
  }): Promise<void> {
    const o = checkOptions(opts)
    const alreadyDown = this.#shutDown
    this.#shutDown = true
    if (o?.cancelFutures === true) for (const p of [...this.#pending.values()]) p.job.cancel()
    if (this.#pending.size === 0 && !this.#idle.done) this.#idle.setResult(undefined)
    if (o?.wait !== false) await this.#idle
    if (alreadyDown && this.#nc.isClosed()) return
    while (this.#withdrawing.size > 0) await Promise.all(this.#withdrawing)
    unobserve('cluster-executor', this)
    this.#stats.close()
    this.#sub.unsubscribe()
    if (!this.#nc.isClosed()) await this.#nc.drain().catch(() => this.#nc.close())
    for (const p of [...this.#pending.values()])
      this.#settle(p, 'cancelled', `executor ${this.name} was shut down`)
    this.#requests.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown()
  }
}
