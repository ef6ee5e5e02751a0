/**
 * What a worker's death means for the jobs it held: which ran, which one it was running, which
 * never started, and how to say why it died.
 *
 * A worker runs its jobs one at a time in the order sent and says which one it is on (a thread in
 * shared words, a child process on its report pipe, read to its end before the exit is judged).
 * So every unanswered job before that one ran to its end and only its result died with the
 * worker; the one it was on is the one to blame; the rest never started.
 *
 * @module
 */
import { describe, WorkerCrashedError } from '../errors.js'
import type { JobFuture } from './job-future.js'
import type { WorkerExit, WorkerProgress } from './worker-handle.js'

/** What became of a job its worker took with it. @internal */
export type Fate = 'ran' | 'running' | 'unstarted'

/** The fate of each job of `lost` (sent, unanswered, in the order sent). @internal */
export function fates(lost: readonly JobFuture<unknown>[], progress: WorkerProgress): Fate[] {
  const { running, done } = progress
  // A thread names the last job it finished; a process, the last it started, every job before
  // which finished (that one may have finished too, just before the death, if no later job began).
  const finished =
    done !== 0
      ? lost.findIndex((job) => job._id === done) + 1
      : Math.max(
          0,
          lost.findIndex((job) => job._id === running),
        )
  return lost.map((job, i) => (i < finished ? 'ran' : job._id === running ? 'running' : 'unstarted'))
}

/** Why a worker ended, in words for an error message. @internal */
export function exitReason(how: WorkerExit): string {
  if (how.outOfMemory) {
    return how.error === undefined ? 'out of memory (the heap limit)' : 'out of memory (resourceLimits)'
  }
  if (how.error !== undefined) return `uncaught ${describe(how.error)}`
  if (how.signal !== undefined) return `killed by ${how.signal}`
  return `exited with code ${String(how.code)}`
}

/** The error of a job that failed with its worker, for each fate. @internal */
export function crashError(
  job: JobFuture<unknown>,
  fate: Fate,
  reason: string,
  how: WorkerExit,
): WorkerCrashedError {
  const attempts =
    job._retries === 0 ? '' : ` (attempt ${String(job._attempts)} of ${String(job._retries + 1)})`
  const message =
    fate === 'ran'
      ? `job ${job._name} ran, but its result was lost when its worker crashed${attempts}`
      : fate === 'running'
        ? `the worker running job ${job._name} crashed${attempts}`
        : `the worker holding job ${job._name} crashed before running it`
  return new WorkerCrashedError(`${message}: ${reason}`, reason, {
    exitCode: how.code,
    signal: how.signal,
    cause: how.error,
    resultLost: fate === 'ran',
  })
}
