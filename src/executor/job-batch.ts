/**
 * A batch of jobs as one JOBS message: the functions the worker has not been told about yet, then
 * one flat record per job (see protocol.ts).
 *
 * @module
 */
import type { Transferable } from 'node:worker_threads'
import type { JobFuture } from './job-future.js'
import { JOB_FIELDS, JOBS, JOBS_AT, REPORT_FIRST } from './protocol.js'
import type { TaskIndex } from './task-index.js'

/** @internal */
export interface JobBatch {
  readonly msg: unknown[]
  /** `[index, moduleUrl, exportName]` triples of the functions it introduces, or null. */
  readonly defs: unknown[] | null
  readonly transfer: Transferable[] | undefined
}

/** Encodes `jobs` for a worker that knows the functions marked in `known`. @internal */
export function jobBatch(
  jobs: readonly JobFuture<unknown>[],
  known: readonly boolean[],
  tasks: TaskIndex,
): JobBatch {
  const msg = new Array<unknown>(JOBS_AT + jobs.length * JOB_FIELDS)
  let defs: unknown[] | null = null
  let transfer: Transferable[] | undefined
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as JobFuture<unknown>
    // A map chunk names its function with a negative index.
    const fi = job._fn < 0 ? -job._fn - 1 : job._fn
    if (known[fi] !== true && (defs === null || !defs.includes(fi))) {
      const ref = tasks.at(fi)
      ;(defs ??= []).push(fi, ref.moduleUrl, ref.exportName)
    }
    const at = JOBS_AT + i * JOB_FIELDS
    msg[at] = job._id
    msg[at + 1] = job._fn
    msg[at + 2] = job._args
    msg[at + 3] = job._queueDeadline
    msg[at + 4] = jobFlags(job)
    if (job._transfer !== undefined) (transfer ??= []).push(...job._transfer)
  }
  msg[0] = JOBS
  msg[1] = defs
  return { msg, defs, transfer }
}

/**
 * The flags a job travels with: a job with a run limit has the worker send the results it holds
 * first, so the limit is armed on it and not on a finished job before it.
 */
function jobFlags(job: JobFuture<unknown>): number {
  return job._runTimeoutMs !== undefined && job._runTimeoutMs !== Infinity ? REPORT_FIRST : 0
}
