/**
 * A job's clocks: how long it may wait in the queue, how long it may run, and how long a job that
 * was told to stop has before its worker is terminated.
 *
 * They run on real time, under a virtual clock too: jobs run on real time in their workers, and a
 * virtual clock could neither bound them nor be compared with the run times workers report. Each
 * fires after the code that armed it has returned, when the job may have moved (answered, sent
 * back to the queue, its worker dead), so each looks again at where the job is before it acts.
 * A job holds one queue timer and one run-or-kill timer (`_queueTimer`, `_timer`), on its future.
 *
 * @module
 */
import { TimeoutError } from '../errors.js'
import { realClock } from '../platform/clock.js'
import { type JobFuture, SENT } from './job-future.js'
import type { JobLedger } from './job-ledger.js'
import { CANCEL } from './protocol.js'
import type { WorkerSlot } from './worker-slot.js'
import type { WorkerSlots } from './worker-slots.js'

/** Fails `job` if it has not started within `ms`. @internal */
export function armQueueLimit(
  jobs: JobLedger,
  workers: WorkerSlots,
  job: JobFuture<unknown>,
  ms: number,
): void {
  job._queueDeadline = Date.now() + ms
  job._queueTimer = realClock.setTimer(ms, () => {
    job._queueTimer = undefined
    if (job.done) return
    if (!jobs.unqueue(job)) {
      // Sent but not started: the worker checks the same deadline and skips it.
      if (job._headAt !== 0 || job._slot === undefined) return
      workers.send(job._slot, [CANCEL, job._id])
    }
    jobs.settle(
      job,
      'failed',
      new TimeoutError(`job ${job._name} waited more than ${String(ms)} ms in the queue and was not started`),
    )
  })
}

/**
 * Starts the clock of the job `slot` is now on: its run time limit, or its kill deadline.
 * @internal
 */
export function armHead(jobs: JobLedger, workers: WorkerSlots, slot: WorkerSlot): void {
  if (slot.state === 'starting') return
  const job = slot.inflight.peekFirst()
  if (job === undefined || job._headAt !== 0) return
  job._headAt = performance.now()
  // A cancelled job already has its kill armed from the cancel: reaching the head must not
  // postpone it.
  if (job.done) {
    if (job._timer === undefined) armKill(slot, job)
  } else if (job._runTimeoutMs !== undefined && job._runTimeoutMs !== Infinity) {
    const ms = job._runTimeoutMs
    job._timer = realClock.setTimer(ms, () => {
      job._timer = undefined
      if (job.done) return
      jobs.settle(job, 'failed', new TimeoutError(`job ${job._name} ran longer than ${String(ms)} ms`))
      workers.send(slot, [CANCEL, job._id])
      armKill(slot, job)
    })
  }
}

/**
 * Terminates `slot` if `job`, told to stop, is still what it runs `after` ms from now.
 * @internal
 */
export function armKill(slot: WorkerSlot, job: JobFuture<unknown>, after = job._killAfterMs): void {
  job._timer?.cancel()
  const ms = job._killAfterMs
  if (ms === Infinity) return
  job._timer = realClock.setTimer(after, () => {
    job._timer = undefined
    if (job._place !== SENT || job._slot !== slot || slot.state === 'dead') return
    if (!mayBeRunning(slot, job)) {
      // Not started, or another job runs: look again later, it may yet start. Not at once
      // again with a zero limit, which would spin while another job runs.
      armKill(slot, job, Math.max(ms, 10))
      return
    }
    slot.killReason = `job ${job._name} did not stop within ${String(ms)} ms of being cancelled`
    slot.stopKilled = true
    slot.handle.terminate()
  })
}

/** Stops a job's queue limit and its run-time or kill timer. @internal */
export function clearTimers(job: JobFuture<unknown>): void {
  job._timer?.cancel()
  job._timer = undefined
  job._queueTimer?.cancel()
  job._queueTimer = undefined
}

/**
 * Whether terminating the worker could stop `job` without killing a job that was not cancelled:
 * it is the one the worker is on (a process's last started job may have just finished, which
 * leaves no other job to harm either, every later one being unstarted).
 */
function mayBeRunning(slot: WorkerSlot, job: JobFuture<unknown>): boolean {
  return slot.handle.progress().running === job._id
}
