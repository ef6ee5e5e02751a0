/**
 * How a job server runs a distributed job in its local pool: through the `runDistributed`
 * wrapper, which sets the job's `jobInfo()` around the call, labelled with the job's own function
 * name so the pool's errors and stats name it; a `map` chunk through the pool's own `map`, one
 * item per pool job, as one future the chunk can be cancelled through.
 *
 * @module
 */
import { Future } from '../core/future.js'
import type { Executor } from '../executor/executor.js'
import type { JobFuture } from '../executor/job-future.js'
import type { JobInfo } from '../executor/job-info.js'
import { JOB_LABEL, type TaskRef, taskRef, type WorkerFn } from '../executor/task-ref.js'
import { builtModule } from './built-module.js'
import type { JobMessage } from './job-wire.js'

/** A job's local limits: its run time limit and kill grace. @internal */
export interface LocalJobOptions {
  readonly timeout?: number
  readonly killAfterMs?: number
}

/** @internal */
export class LocalRuns {
  readonly #executor: Executor
  /** The wrapper refs, labelled with each job's function name. */
  readonly #refs = new Map<string, { run: TaskRef<WorkerFn>; item: TaskRef<WorkerFn> }>()

  constructor(executor: Executor) {
    this.#executor = executor
  }

  /** One job: `job.e` of `job.m` on `job.a`, in the pool. */
  one(job: JobMessage, info: JobInfo, opts: LocalJobOptions): JobFuture<unknown> {
    return this.#executor.submit(opts, this.#refsOf(job.e).run, info, job.m, job.e, job.a)
  }

  /** A `map` chunk: its items through the pool's `map`, collected in order. */
  chunk(job: JobMessage, info: JobInfo, opts: LocalJobOptions): JobFuture<unknown> {
    const items = job.a[0]
    if (!Array.isArray(items)) throw new TypeError('a map chunk without its items')
    const controller = new AbortController()
    const chunk = new ChunkFuture(controller)
    const run = async (): Promise<unknown[]> => {
      const out: unknown[] = []
      const tuples = items.map((item: unknown) => [info, job.m, job.e, item] as const)
      const mapOpts = { ...opts, signal: controller.signal }
      const ref = this.#refsOf(job.e).item as TaskRef<(t: (typeof tuples)[number]) => unknown>
      for await (const r of this.#executor.map(ref, tuples, mapOpts)) out.push(r)
      return out
    }
    run().then(
      (v) => chunk._settle('succeeded', v),
      (e: unknown) => chunk._settle(controller.signal.aborted ? 'cancelled' : 'failed', e),
    )
    return chunk as unknown as JobFuture<unknown>
  }

  #refsOf(label: string): { run: TaskRef<WorkerFn>; item: TaskRef<WorkerFn> } {
    const known = this.#refs.get(label)
    if (known !== undefined) return known
    const url = builtModule('../executor/job-info.js', import.meta.url)
    const labelled = (name: string): TaskRef<WorkerFn> =>
      Object.assign(taskRef(url, name), { [JOB_LABEL]: label })
    const refs = { run: labelled('runDistributed'), item: labelled('runDistributedItem') }
    // Bounded by the names of the functions jobs come for; a flood of made-up names is cut.
    if (this.#refs.size >= 1000) this.#refs.clear()
    this.#refs.set(label, refs)
    return refs
  }
}

/** The future of a `map` chunk on this worker: cancelling it aborts the pool's `map`. */
class ChunkFuture extends Future<unknown> {
  readonly #controller: AbortController
  constructor(controller: AbortController) {
    super()
    this.#controller = controller
  }

  override cancel(msg?: string): boolean {
    if (this.done) return false
    this.#controller.abort(msg)
    return this._settle('cancelled', msg ?? 'cancelled')
  }
}
