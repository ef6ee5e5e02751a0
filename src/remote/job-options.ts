/**
 * What the distributed executor's two sides accept and report, and the checks that turn its
 * options into settings: both `connectExecutor` and `serveJobs` take the stream's settings, and
 * must agree on them.
 *
 * @module
 */
import { checkCount, checkMs, typeError } from '../errors.js'
import type { Quantiles } from '../executor/histogram.js'
import { codecOf, type NatsConnectOptions, positive } from './cluster-options.js'
import type { Codec } from './codec.js'
import type { StreamSettings } from './job-stream.js'
import type { TypeRegistry } from './type-registry.js'

/** Options of `connectExecutor`. @since 0.3.0 */
export interface ClusterExecutorOptions {
  /** NATS server URLs (default `nats://127.0.0.1:4222`). */
  readonly servers?: string | readonly string[] | undefined
  /** Passed to the NATS client's `connect` (credentials, TLS, reconnect settings). */
  readonly nats?: NatsConnectOptions | undefined
  /** The executor's name: submitters and workers of one name share one stream (default `default`). */
  readonly name?: string | undefined
  /** Runs a job may have in all, the first included (default 3). */
  readonly maxAttempts?: number | undefined
  /** Delay before each retry, in ms; the last one repeats (default `[1000]`). */
  readonly backoffMs?: readonly number[] | undefined
  /** The lease of a running job, renewed while it runs (default 30000 ms). */
  readonly leaseMs?: number | undefined
  /** How long a resubmitted job id counts as the same job (default 120000 ms). */
  readonly dedupWindowMs?: number | undefined
  /** How long a job's final result is kept for `getResult` (default 3600000 ms). */
  readonly resultTtlMs?: number | undefined
  /**
   * Which results are kept in the results bucket for `getResult`: `unclaimed` (default) keeps
   * failures, the results of jobs submitted with an `id`, and any result its submitter was not
   * there to take; `always` keeps every result, at the cost of one more stored write per job.
   */
  readonly keepResults?: 'unclaimed' | 'always' | undefined
  /** User classes the default codec may send in arguments and results. */
  readonly types?: TypeRegistry | undefined
  /** How arguments and results are written (default `jsonCodec({ types })`); workers use the same. */
  readonly codec?: Codec | undefined
}

/** Per-job options, `submit(opts, fn, ...args)`. @since 0.3.0 */
export interface ClusterSubmitOptions {
  /** The job's id (default: a random one). The same id within the dedup window is the same job. */
  readonly id?: string | undefined
  /** Overrides the executor's `maxAttempts`. */
  readonly maxAttempts?: number | undefined
  /** Overrides the executor's `backoffMs`. */
  readonly backoffMs?: readonly number[] | undefined
  /** Each attempt fails with `TimeoutError` if it runs this long (on its worker's pool); not retried. */
  readonly timeout?: number | undefined
  /** The same limit as `timeout`, named as the local pools name it; give one of the two. */
  readonly runTimeoutMs?: number | undefined
  /**
   * The job fails with `TimeoutError` if no worker has started it this many ms after `submit`;
   * it is withdrawn from the stream and never starts. A worker that took it in the last moment
   * before the deadline sees it cancelled as it starts.
   */
  readonly queueTimeoutMs?: number | undefined
  /**
   * A cancelled or timed-out attempt that has not stopped this many ms later has its pool worker
   * killed on its job server (the pool's `killAfterMs`, which is the default).
   */
  readonly killAfterMs?: number | undefined
  /** Aborting it cancels the job, as `cancel()` does; already aborted, nothing is sent. */
  readonly signal?: AbortSignal | undefined
}

/** A job that failed for good, or a message on the job subject that was not a job. @since 0.3.0 */
export interface DeadJob {
  /** Its key: the job id, or `bad-<sequence>` for a message that was not a job. */
  readonly key: string
  /** The function's module URL and export name, for a job. */
  readonly task?: { readonly moduleUrl: string; readonly exportName: string } | undefined
  /** Why it is here: `out of attempts`, `could not start`, or `not a job: ...`. */
  readonly reason: string
  /** The last attempt's error. */
  readonly error?: unknown
  readonly attempts: number
  /** When (epoch ms). */
  readonly at: number
  /** The worker that put it here. */
  readonly worker: string
}

/** One job server in `ClusterExecutor.stats().workers`, as it last reported itself. @since 0.3.0 */
export interface ClusterWorkerStats {
  /** Its id (`serveJobs`' `workerId`). */
  readonly id: string
  /** Jobs it runs at once at most (its `concurrency`). */
  readonly lanes: number
  /** Jobs it runs now, for any submitter. */
  readonly running: number
  /** Jobs it completed, and failed for good, since it started. */
  readonly completed: number
  readonly failed: number
  /** Jobs it was delivered again after a worker lost them. */
  readonly redelivered: number
  /** Since its last report (reports come every second; a worker silent for 3 s is left out). */
  readonly lastSeenMs: number
}

/**
 * What `ClusterExecutor.stats()` reports: the cluster's queue and workers as they last reported,
 * and this submitter's own jobs. @since 0.3.0
 */
export interface ClusterExecutorStats {
  /** Jobs in the stream no worker has taken yet (any submitter's), sampled every second while this submitter has jobs pending. */
  readonly queued: number
  /** Jobs running on the workers (any submitter's): the sum of `workers[].running`. */
  readonly running: number
  /** This submitter's jobs submitted and not settled yet. */
  readonly pending: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
  /** Failed attempts that were retried. */
  readonly retried: number
  /** Deliveries of this submitter's jobs beyond their retries: a worker lost them (died or lost its lease). */
  readonly redelivered: number
  /** This submitter's jobs that failed for good and left a dead-letter record. */
  readonly deadLettered: number
  /** Time the successful attempts took on their workers, in µs. */
  readonly runTime: Quantiles
  /** Time from `submit` to the result, less the run time: queued, in transit and retried, in µs. */
  readonly waitTime: Quantiles
  /** The job servers heard from in the last 3 s, by id. */
  readonly workers: readonly ClusterWorkerStats[]
}

/** @internal A job id is also the key of its result in the results bucket. */
export const JOB_ID = /^[A-Za-z0-9_=-](?:[A-Za-z0-9_=.-]{0,254}[A-Za-z0-9_=-])?$/

/** @internal */
export interface ExecutorSettings extends StreamSettings {
  readonly maxAttempts: number
  readonly backoffMs: readonly number[]
  readonly codec: Codec
  readonly keepAll: boolean
}

/** @internal */
export function executorSettings(o: ClusterExecutorOptions | undefined): ExecutorSettings {
  const maxAttempts = checkCount('maxAttempts', o?.maxAttempts ?? 3, 1)
  const backoffMs = checkBackoff(o?.backoffMs ?? [1000])
  const leaseMs = positive('leaseMs', o?.leaseMs ?? 30_000)
  if (leaseMs < 100) throw new RangeError(`Expected \`leaseMs\` to be at least 100, got ${String(leaseMs)}`)
  const dedupWindowMs = checkMs('dedupWindowMs', o?.dedupWindowMs ?? 120_000)
  const resultTtlMs = positive('resultTtlMs', o?.resultTtlMs ?? 3_600_000)
  const codec = codecOf(o)
  const keep = o?.keepResults ?? 'unclaimed'
  if (keep !== 'unclaimed' && keep !== 'always')
    throw typeError('keepResults', "'unclaimed' or 'always'", keep)
  return { maxAttempts, backoffMs, leaseMs, dedupWindowMs, resultTtlMs, codec, keepAll: keep === 'always' }
}

export function checkBackoff(b: unknown): readonly number[] {
  if (!Array.isArray(b) || b.length === 0)
    throw typeError('backoffMs', 'a non-empty array of delays in ms', b)
  for (const [i, ms] of b.entries()) checkMs(`backoffMs[${String(i)}]`, ms)
  return [...(b as number[])]
}
