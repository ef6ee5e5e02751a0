/**
 * What an executor and its calls accept, and the checks that turn options into settings.
 *
 * Every option is checked at the call that takes it, before anything is queued, armed or started:
 * a mistake found later (in a lazy generator, in a worker) would be reported far from its cause,
 * and a call that throws must leave the executor as it was.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import type { Transferable } from 'node:worker_threads'
import { checkCount, checkMs, describe } from '../errors.js'
import type { Quantiles } from './histogram.js'
import { checkTaskRef, type TaskRef, type WorkerFn } from './task-ref.js'
import type { SpawnSettings } from './worker-handle.js'

/** Options shared by both executors. @since 0.1.0 */
export interface ExecutorOptions {
  /** Most workers at once; default: the number of CPUs (`os.availableParallelism()`). */
  readonly maxWorkers?: number | undefined
  /** Workers started at once and kept when idle; default 0. */
  readonly minWorkers?: number | undefined
  /** An idle worker above `minWorkers` leaves after this many ms; default 30000 (`Infinity`: never). */
  readonly idleTimeoutMs?: number | undefined
  /** A worker is replaced after this many jobs (Python's `max_tasks_per_child`); default unlimited. */
  readonly maxTasksPerWorker?: number | undefined
  /** Runs once in each worker before its first job; if it throws, the executor is broken. */
  readonly initializer?: TaskRef<WorkerFn> | undefined
  /** Arguments for `initializer`. */
  readonly initArgs?: readonly unknown[] | undefined
  /** Names the workers (thread names, error messages). */
  readonly name?: string | undefined
  /**
   * Node flags for the workers, e.g. `['--import', 'tsx']` to load TypeScript task modules, used as
   * given. Default: the parent's `process.execArgv` without the flags a worker cannot share: those
   * for the main entry only (`-e`, `-p`, `--input-type`, `--watch`, `--test`, ...) and the
   * inspector's (a child process gets `--inspect=0`, a port of its own); loaders and preloads stay.
   */
  readonly execArgv?: readonly string[] | undefined
  /** A cancelled running job that has not stopped after this many ms has its worker replaced; default 1000. */
  readonly killAfterMs?: number | undefined
}

/**
 * Per-job options, for `submit(opts, fn, ...args)` and `submitWith`. Time limits are in ms.
 * @since 0.1.0
 */
export interface SubmitOptions {
  /** The job fails with `TimeoutError` and never starts if it waited this long for a worker. */
  readonly queueTimeoutMs?: number | undefined
  /**
   * The job fails with `TimeoutError` and is cancelled if it runs this long, counted from when it
   * starts running (time waiting for a worker is not charged), as a pool's `timeout` counts from
   * when its task gets a slot. The same limit as `runTimeoutMs`; give one of the two.
   * @since 0.2.0
   */
  readonly timeout?: number | undefined
  /** The job fails with `TimeoutError` and is cancelled if it runs this long (same as `timeout`). */
  readonly runTimeoutMs?: number | undefined
  /** Overrides the executor's `killAfterMs` for this job. */
  readonly killAfterMs?: number | undefined
  /** Objects to move, not copy, to the worker: `ArrayBuffer`s, `MessagePort`s (threads only). */
  readonly transfer?: readonly Transferable[] | undefined
  /** Aborting it cancels the job. */
  readonly signal?: AbortSignal | undefined
  /**
   * Declares the job safe to run again: if its worker dies while it runs, or after it ran but
   * before its result was sent, it is run again, up to this many more times (default: the task's
   * own `retries` from `defineTask`, else 0: such a job fails with `WorkerCrashedError`). Its
   * future's `attempts` says how many runs it took. A run timeout, a cancellation or an error the
   * job throws is never retried.
   * @since 0.2.0
   */
  readonly retries?: number | undefined
}

/** Options of `executor.map`. @since 0.1.0 */
export interface ExecutorMapOptions {
  /** Items per job; default 1. Larger chunks amortize the per-job cost for tiny functions. */
  readonly chunksize?: number | undefined
  /** All results must arrive within this many ms of the call, else `TimeoutError`. */
  readonly timeout?: number | undefined
  /** Yield in input order (default) or as they complete. */
  readonly ordered?: boolean | undefined
  /** Chunks in flight at once; default twice `maxWorkers`. */
  readonly window?: number | undefined
  /** Aborting it cancels what is in flight and ends the iteration with the reason. */
  readonly signal?: AbortSignal | undefined
}

/** Options of `shutdown`. @since 0.1.0 */
export interface ExecutorShutdownOptions {
  /** Resolve only when every job has settled and every worker has exited (default true). */
  readonly wait?: boolean | undefined
  /**
   * Cancel every job (default false): queued and sent ones never start, running ones have their
   * `jobSignal()` aborted and their worker terminated if it has not finished within `killAfterMs`.
   */
  readonly cancelFutures?: boolean | undefined
}

/** One worker in `stats.workers`. @since 0.1.0 */
export interface WorkerStats {
  readonly id: number
  readonly state: 'starting' | 'ready' | 'retiring' | 'closing' | 'dead'
  /** Jobs it finished. */
  readonly completed: number
  /** Share of its lifetime spent running jobs, 0 to 1. */
  readonly utilization: number
}

/** A snapshot of an executor. @since 0.1.0 */
export interface ExecutorStats {
  /** Waiting for a worker. */
  readonly queued: number
  /** Sent to a worker, not finished. */
  readonly running: number
  readonly completed: number
  readonly failed: number
  readonly cancelled: number
  /** Workers that died without being asked to: an exit, a signal, running out of memory, an uncaught error. */
  readonly crashes: number
  /**
   * Workers the executor terminated because a job did not stop when cancelled or timed out, or
   * at a shutdown with `cancelFutures`. Not counted in `crashes`.
   * @since 0.2.0
   */
  readonly terminated: number
  readonly workers: readonly WorkerStats[]
  /** Time jobs ran, in µs. */
  readonly runTime: Quantiles
  /** Time jobs waited before running, in µs. */
  readonly waitTime: Quantiles
}

/** `SubmitOptions` checked, with the executor's defaults applied. @internal */
export interface JobOptions {
  readonly queueTimeoutMs: number | undefined
  readonly runTimeoutMs: number | undefined
  readonly killAfterMs: number
  readonly transfer: readonly Transferable[] | undefined
  readonly signal: AbortSignal | undefined
  readonly retries: number
}

/** An executor's options, checked, with defaults applied. @internal */
export interface ExecutorConfig {
  readonly maxWorkers: number
  readonly minWorkers: number
  readonly idleTimeoutMs: number
  readonly maxTasks: number
  readonly killAfterMs: number
  readonly settings: SpawnSettings
}

/** Checks the options of an executor of `kind`; `extra` holds what the subclass adds. @internal */
export function executorConfig(
  opts: ExecutorOptions,
  kind: string,
  extra: Partial<SpawnSettings>,
): ExecutorConfig {
  checkObject(opts, kind)
  const o = opts
  const maxWorkers = checkCount('maxWorkers', o.maxWorkers ?? availableParallelism(), 1)
  const minWorkers = checkCount('minWorkers', o.minWorkers ?? 0, 0)
  if (minWorkers > maxWorkers) {
    throw new RangeError(
      `minWorkers (${String(minWorkers)}) must not exceed maxWorkers (${String(maxWorkers)})`,
    )
  }
  const idleTimeoutMs = checkMs('idleTimeoutMs', o.idleTimeoutMs ?? 30_000)
  const maxTasks =
    o.maxTasksPerWorker === undefined ? Infinity : checkCount('maxTasksPerWorker', o.maxTasksPerWorker, 1)
  const killAfterMs = checkMs('killAfterMs', o.killAfterMs ?? 1000)
  const init = o.initializer === undefined ? undefined : checkTaskRef(o.initializer, `${kind} initializer`)
  const initArgs = o.initArgs as unknown
  if (initArgs !== undefined && !Array.isArray(initArgs)) {
    throw new TypeError(`${kind} option \`initArgs\` must be an array, got ${describe(initArgs)}`)
  }
  const name = o.name as unknown
  if (name !== undefined && typeof name !== 'string') {
    throw new TypeError(`${kind} option \`name\` must be a string, got ${describe(name)}`)
  }
  for (const key of ['env', 'resourceLimits'] as const) {
    const v = extra[key] as unknown
    if (v !== undefined && (typeof v !== 'object' || v === null)) {
      throw new TypeError(`${kind} option \`${key}\` must be an object, got ${describe(v)}`)
    }
  }
  return {
    maxWorkers,
    minWorkers,
    idleTimeoutMs,
    maxTasks,
    killAfterMs,
    settings: {
      name: o.name ?? kind,
      execArgv: o.execArgv === undefined ? extra.execArgv : checkExecArgv(o.execArgv, kind),
      env: extra.env,
      resourceLimits: extra.resourceLimits,
      init: {
        initializer:
          init === undefined ? undefined : { moduleUrl: init.moduleUrl, exportName: init.exportName },
        initArgs: [...(o.initArgs ?? [])],
      },
    },
  }
}

/** The options of a job submitted without any: undefined unless its task declares retries. @internal */
export function taskJobOptions(ref: TaskRef<WorkerFn>, killAfterMs: number): JobOptions | undefined {
  const retries = ref.retries ?? 0
  if (retries === 0) return undefined
  return {
    queueTimeoutMs: undefined,
    runTimeoutMs: undefined,
    killAfterMs,
    transfer: undefined,
    signal: undefined,
    retries,
  }
}

/** Checks a job's options (`what` names the call); the task's own `retries` is the default. @internal */
export function jobOptions(
  opts: unknown,
  what: string,
  ref: TaskRef<WorkerFn>,
  killAfterMs: number,
): JobOptions {
  checkObject(opts, what)
  const o = opts as SubmitOptions
  if (o.timeout !== undefined && o.runTimeoutMs !== undefined) {
    throw new TypeError(`${what} takes \`timeout\` or \`runTimeoutMs\` (the same limit), not both`)
  }
  checkSignalOption(what, o.signal)
  const transfer = o.transfer as unknown
  if (transfer !== undefined && !Array.isArray(transfer)) {
    throw new TypeError(`${what} option \`transfer\` must be an array, got ${describe(transfer)}`)
  }
  return {
    queueTimeoutMs: o.queueTimeoutMs === undefined ? undefined : checkMs('queueTimeoutMs', o.queueTimeoutMs),
    runTimeoutMs:
      o.timeout !== undefined
        ? checkMs('timeout', o.timeout)
        : o.runTimeoutMs === undefined
          ? undefined
          : checkMs('runTimeoutMs', o.runTimeoutMs),
    killAfterMs: o.killAfterMs === undefined ? killAfterMs : checkMs('killAfterMs', o.killAfterMs),
    transfer: o.transfer,
    signal: o.signal,
    retries: o.retries === undefined ? (ref.retries ?? 0) : checkCount('retries', o.retries, 0),
  }
}

/** `ExecutorMapOptions` checked, with defaults applied. @internal */
export interface MapSettings {
  readonly chunksize: number
  readonly window: number
  readonly ordered: boolean
  readonly timeoutMs: number | undefined
  readonly signal: AbortSignal | undefined
}

/** Checks `map`'s items and options; the window defaults to twice `maxWorkers`. @internal */
export function mapSettings(items: unknown, opts: unknown, maxWorkers: number): MapSettings {
  checkObject(opts, 'map()')
  const o = opts as ExecutorMapOptions
  if (
    typeof items !== 'string' &&
    (typeof items !== 'object' ||
      items === null ||
      (typeof (items as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function' &&
        typeof (items as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'))
  ) {
    throw new TypeError(`map() needs an iterable or async iterable of items, got ${describe(items)}`)
  }
  const signal = checkSignalOption('map()', o.signal)
  const ordered = o.ordered as unknown
  if (ordered !== undefined && typeof ordered !== 'boolean') {
    throw new TypeError(`map() option \`ordered\` must be a boolean, got ${describe(ordered)}`)
  }
  return {
    chunksize: checkCount('chunksize', o.chunksize ?? 1, 1),
    window: checkCount('window', o.window ?? maxWorkers * 2, 1),
    ordered: ordered ?? true,
    timeoutMs: o.timeout === undefined ? undefined : checkMs('timeout', o.timeout),
    signal,
  }
}

/** Checks `shutdown`'s options. @internal */
export function shutdownOptions(opts: unknown): { readonly wait: boolean; readonly cancelFutures: boolean } {
  checkObject(opts, 'shutdown()')
  const o = opts as ExecutorShutdownOptions
  for (const key of ['wait', 'cancelFutures'] as const) {
    const v = o[key] as unknown
    if (v !== undefined && typeof v !== 'boolean') {
      throw new TypeError(`shutdown() option \`${key}\` must be a boolean, got ${describe(v)}`)
    }
  }
  return { wait: o.wait ?? true, cancelFutures: o.cancelFutures ?? false }
}

function checkExecArgv(argv: unknown, kind: string): readonly string[] {
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
    throw new TypeError(`${kind} execArgv must be an array of strings, got ${describe(argv)}`)
  }
  return argv
}

/** Options that are not an object, named after the call that took them. */
function checkObject(opts: unknown, what: string): asserts opts is object {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`${what} options must be an object, got ${describe(opts)}`)
  }
}

/** The `signal` option of `what`, checked at the call. */
function checkSignalOption(what: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  throw new TypeError(`${what} option \`signal\` must be an AbortSignal, got ${describe(signal)}`)
}
