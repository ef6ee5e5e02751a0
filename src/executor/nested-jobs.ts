/**
 * Jobs that submit jobs to their own executor (`submitFromJob`) and wait for them.
 *
 * A job waiting on a job it submitted holds its worker, which gets no more work meanwhile
 * (`slot.blocked`). When every worker the executor may have is held that way, the nested jobs still
 * queued can never start, and rather than hang they fail with `DeadlockError`, which the waiting
 * jobs see and may handle; jobs submitted from outside stay queued, since a worker is free for them
 * once those waits end. The executor submits a nested job as it does any other; what is particular
 * to them, the answer to the waiting job and the deadlock, is here.
 *
 * @module
 */
import { DeadlockError } from '../errors.js'
import { type JobFuture, QUEUED } from './job-future.js'
import type { JobLedger } from './job-ledger.js'
import { CHILD_DONE, serializeError } from './protocol.js'
import type { WorkerSlot } from './worker-slot.js'

/** The message that gives the job waiting on `child` its outcome. @internal */
export function childDone(childId: number, child: JobFuture<unknown>): unknown[] {
  return child.successful
    ? [CHILD_DONE, childId, true, child._result]
    : [CHILD_DONE, childId, false, serializeError(child._result)]
}

/** The message that tells a job its nested job was refused (a bad reference, a closed executor). @internal */
export function childRefused(childId: number, err: unknown): unknown[] {
  return [CHILD_DONE, childId, false, serializeError(err)]
}

/**
 * If every one of the `maxWorkers` workers runs a job waiting on a nested job, fails the nested
 * jobs still queued: they could never start. Called when no worker can take the next job.
 * @internal
 */
export function failDeadlocked(jobs: JobLedger, slots: readonly WorkerSlot[], maxWorkers: number): void {
  let live = 0
  for (const s of slots) {
    if (s.state !== 'starting' && s.state !== 'ready') continue
    if (s.blocked === 0) return
    live++
  }
  if (live < maxWorkers) return
  const waiting: JobFuture<unknown>[] = []
  for (let job = jobs.queue.shift(); job !== undefined; job = jobs.queue.shift()) waiting.push(job)
  for (const job of waiting) {
    if (job._place !== QUEUED) continue
    if (!job._child) {
      jobs.queue.push(job)
      continue
    }
    jobs.leave(job)
    jobs.settle(
      job,
      'failed',
      new DeadlockError(
        `job ${job._name} was submitted by a job that waits for it, but all ${String(maxWorkers)} workers are held by jobs waiting like this, so it could never start; raise maxWorkers or do not wait on nested jobs`,
      ),
    )
  }
}
