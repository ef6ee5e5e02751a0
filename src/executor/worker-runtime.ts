/**
 * What a job can reach from inside a worker: its `AbortSignal`, and its executor (to submit more
 * work). The worker entry installs the runtime; in any other thread these helpers throw.
 *
 * @module
 */
import { InvalidStateError } from '../errors.js'
import { checkTaskRef, type TaskArgs, type TaskRef, type TaskReturn, type WorkerFn } from './task-ref.js'

/** @internal */
export interface WorkerRuntime {
  signal(): AbortSignal
  submit(ref: TaskRef<WorkerFn>, args: unknown[]): Promise<unknown>
  /** The function a ref names, loaded as the worker loads its jobs' functions. */
  load(ref: TaskRef<WorkerFn>): Promise<WorkerFn>
}

// The runtime lives on the global object, not in this module: a worker may hold a second copy of
// verdant (a task module resolved through a TypeScript `paths` alias, a bundle, a nested install),
// and a job calling that copy's `jobSignal()` must still find the job the worker entry runs.
const SLOT = Symbol.for('verdant.workerRuntime')
const slot = globalThis as { [SLOT]?: WorkerRuntime }

/** @internal */
export function installRuntime(r: WorkerRuntime): void {
  slot[SLOT] = r
}

/** @internal */
export function need(what: string): WorkerRuntime {
  const runtime = slot[SLOT]
  if (runtime === undefined) {
    throw new InvalidStateError(`${what} can only be called inside a job running in an executor's worker`)
  }
  return runtime
}

/** True inside an executor's worker thread or process. @since 0.1.0 */
export function insideWorker(): boolean {
  return slot[SLOT] !== undefined
}

/**
 * The `AbortSignal` of the job running in this worker: it aborts when the job is cancelled, runs
 * out of time (`timeout`), or its executor shuts down with `cancelFutures`. A worker runs one
 * job at a time, so this may be read anywhere in the job, also after an `await`.
 *
 * @example
 * export const crunch = defineTask(import.meta.url, 'crunch', async (n: number) => {
 *   const signal = jobSignal()
 *   for (let i = 0; i < n; i++) {
 *     if (i % 1000 === 0) await new Promise((r) => setImmediate(r))
 *     signal.throwIfAborted()
 *   }
 * })
 * @since 0.1.0
 */
export function jobSignal(): AbortSignal {
  return need('jobSignal()').signal()
}

/**
 * Submits another job to the executor this job runs in and resolves with its value. If every
 * worker is held by a job waiting like this, the awaited job cannot start: it fails with
 * `DeadlockError` instead of hanging.
 * @since 0.1.0
 */
export function submitFromJob<R extends TaskRef<WorkerFn>>(
  ref: R,
  ...args: TaskArgs<R>
): Promise<TaskReturn<R>> {
  const r = need('submitFromJob()')
  return r.submit(checkTaskRef(ref, 'submitFromJob()'), args) as Promise<TaskReturn<R>>
}
