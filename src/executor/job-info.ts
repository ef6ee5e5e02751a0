/**
 * `jobInfo()`: what a job of a distributed executor knows about its delivery (its id, which
 * attempt this is, its deadline), read from inside the job function, so an at-least-once job can
 * make itself idempotent: key its effects by the job id, check on a second attempt what the first
 * one left.
 *
 * A job server runs a distributed job in its local pool through `runDistributed`, which sets the
 * info around the call. A worker runs one job at a time, so the info is the running job's for as
 * long as it runs, across its awaits too.
 *
 * @module
 */
import { need } from './worker-runtime.js'
import type { TaskRef, WorkerFn } from './task-ref.js'

/**
 * What `jobInfo()` returns inside a job of a distributed executor.
 * @since 0.3.0
 */
export interface JobInfo {
  /** The job's id: given at `submit`, or generated. The same on every attempt. */
  readonly id: string
  /** This attempt, from 1; more than 1 after a failed attempt or a worker that died with the job. */
  readonly attempt: number
  /** Attempts the job may have in all. */
  readonly maxAttempts: number
  /** When this attempt runs out of time (epoch ms), for a job with a `timeout`; else undefined. */
  readonly deadline: number | undefined
  /** The id of the job server running it. */
  readonly worker: string
}

// On the global object, as the worker runtime is: a task module may hold another copy of verdant.
const SLOT = Symbol.for('verdant.jobInfo')
const slot = globalThis as { [SLOT]?: JobInfo | undefined }

/**
 * The delivery of the distributed job running in this worker, or `undefined` in a job that is not
 * one (a local pool's job) and outside any job.
 * @example
 * export const charge = defineTask(import.meta.url, 'charge', async (order: Order) => {
 *   const { id, attempt } = jobInfo()!
 *   if (attempt > 1 && (await payments.has(id))) return payments.get(id) // the first run got this far
 *   return payments.charge(order, { idempotencyKey: id })
 * })
 * @since 0.3.0
 */
export function jobInfo(): JobInfo | undefined {
  return slot[SLOT]
}

const loaded = new Map<string, WorkerFn>()

/**
 * Runs the function `moduleUrl#exportName` on `args` with `info` set: a distributed job in a
 * local pool's worker. @internal
 */
export function runDistributed(
  info: JobInfo,
  moduleUrl: string,
  exportName: string,
  args: unknown[],
): unknown {
  const key = `${exportName}\n${moduleUrl}`
  const fn = loaded.get(key)
  if (fn !== undefined) return call(fn, info, args)
  return need('a distributed job')
    .load({ moduleUrl, exportName } as TaskRef<WorkerFn>)
    .then((f) => {
      loaded.set(key, f)
      return call(f, info, args)
    })
}

/** One item of a `map` chunk of a distributed job: `[info, moduleUrl, exportName, item]`. @internal */
export function runDistributedItem(job: [JobInfo, string, string, unknown]): unknown {
  return runDistributed(job[0], job[1], job[2], [job[3]])
}

function call(fn: WorkerFn, info: JobInfo, args: unknown[]): unknown {
  slot[SLOT] = info
  let sync = true
  try {
    const value = fn(...args)
    if (typeof (value as PromiseLike<unknown> | null)?.then !== 'function') return value
    sync = false
    return Promise.resolve(value).finally(() => {
      slot[SLOT] = undefined
    })
  } finally {
    if (sync) slot[SLOT] = undefined
  }
}
