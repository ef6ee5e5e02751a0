/**
 * What a worker's answers, and its death, make of the jobs it held: the two ways a sent job comes
 * back from a worker.
 *
 * Both read the one order a worker keeps: it runs and answers its jobs in the order sent. So an
 * answer belongs to the job at the head of its in-flight list (anything else is a bug, reported,
 * never guessed at), and a death places every job it held (crash-blame.ts): those that ran lost
 * only their result, the one it was on is blamed, the rest never started and may run elsewhere.
 * The executor routes the messages here and, after either, rearms the worker's head and gives it
 * more work.
 *
 * @module
 */
import { CancelledError, DataCloneError, TimeoutError, VerdantInternalError } from '../errors.js'
import { reportNow } from '../core/report.js'
import { crashError, fates } from './crash-blame.js'
import type { DispatchPolicy } from './dispatch-policy.js'
import { type JobFuture, SENT } from './job-future.js'
import type { JobLedger } from './job-ledger.js'
import {
  deserializeError,
  EXPIRED,
  OK,
  SKIPPED,
  THREW,
  UNCLONEABLE,
  type SerializedError,
  type ThrownValue,
} from './protocol.js'
import type { WorkerExit } from './worker-handle.js'
import type { WorkerSlot } from './worker-slot.js'

/**
 * Settles the jobs a RESULTS message answers. `flat` is the message: its quadruples (id, status,
 * value, run time in µs) start after the header. Feeds the run times to the dispatch policy.
 * @internal
 */
export function takeResults(
  jobs: JobLedger,
  policy: DispatchPolicy<WorkerSlot>,
  slot: WorkerSlot,
  flat: unknown[],
): void {
  const now = performance.now()
  let sumRun = 0
  const n = (flat.length - 1) / 4
  const headAt = slot.inflight.peekFirst()?._headAt ?? 0
  for (let i = 1; i < flat.length; i += 4) {
    const job = slot.inflight.shift()
    if (job === undefined || job._id !== flat[i]) {
      reportNow(
        new VerdantInternalError(`worker ${String(slot.id)} answered job ${String(flat[i])} out of order`),
        'an executor',
      )
      continue
    }
    const run = flat[i + 3] as number
    const status = flat[i + 1]
    if (status !== SKIPPED && status !== EXPIRED) job._attempts++
    sumRun += run
    slot.busyMicros += run
    slot.completed++
    jobs.leave(job)
    if (job.done) continue
    const value = flat[i + 2]
    if (status === OK) {
      jobs.runTime.record(run)
      jobs.waitTime.record(Math.max(0, (now - job._submittedAt) * 1000 - run))
      jobs.settle(job, 'succeeded', value)
    } else if (status === THREW) {
      jobs.runTime.record(run)
      jobs.settle(job, 'failed', deserializeError(value as SerializedError | ThrownValue))
    } else if (status === SKIPPED) {
      jobs.settle(job, 'cancelled', cancelledError(job, undefined))
    } else {
      jobs.settle(job, 'failed', answerError(job, status, value))
    }
  }
  policy.recordRuns(n, sumRun)
  if (n === 1 && headAt !== 0 && slot.inflight.size === 0) {
    // A lone job: its round trip less its run time is how fast this worker answers.
    policy.recordAnswer(slot, Math.max(0, (now - headAt) * 1000 - sumRun))
  }
}

/**
 * The jobs a dead worker held, sent or still in its outbox: each goes back to the front of the
 * queue, in order, if it may run again, or fails saying why the worker died (`reason`).
 * @internal
 */
export function takeBack(jobs: JobLedger, slot: WorkerSlot, reason: string, how: WorkerExit): void {
  const lost = slot.inflight.drain()
  const unsent = slot.outbox
  slot.outbox = []
  const fate = fates(lost, slot.handle.progress())
  const back: JobFuture<unknown>[] = []
  for (let i = 0; i < lost.length + unsent.length; i++) {
    const job = (i < lost.length ? lost[i] : unsent[i - lost.length]) as JobFuture<unknown>
    const f = fate[i] ?? 'unstarted'
    if (f !== 'unstarted') job._attempts++
    // Not started: it runs on another worker, unless its transferred buffers went with the
    // message. Started: only if it was declared safe to run again.
    const again =
      f === 'unstarted'
        ? job._place !== SENT || job._transfer === undefined
        : job._attempts <= job._retries && job._transfer === undefined
    if (!job.done && again) {
      back.push(job)
      continue
    }
    jobs.leave(job)
    jobs.settle(job, 'failed', crashError(job, f, reason, how))
  }
  for (let i = back.length - 1; i >= 0; i--) jobs.requeue(back[i] as JobFuture<unknown>)
}

/** The error of a job cancelled without a message of its own. @internal */
export function cancelledError(job: JobFuture<unknown>, reason: unknown): CancelledError {
  return new CancelledError(`job ${job._name} was cancelled`, reason)
}

/** The error of a job whose worker answered that it expired in its queue or that its result cannot cross. */
function answerError(job: JobFuture<unknown>, status: unknown, value: unknown): Error {
  if (status === EXPIRED) {
    return new TimeoutError(`job ${job._name} waited too long in the queue and was not started`)
  }
  if (status === UNCLONEABLE) {
    return new DataCloneError(
      `the result of ${job._name}() cannot be sent back from the worker: ${String(value)}`,
    )
  }
  return new VerdantInternalError(`job ${job._name} got an unknown answer status ${String(status)}`)
}
