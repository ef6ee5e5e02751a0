/**
 * `ThreadPoolExecutor`: an executor on `worker_threads`.
 *
 * @module
 */
import type { ResourceLimits } from 'node:worker_threads'
import { workerExecArgv } from './exec-argv.js'
import { Executor } from './executor.js'
import type { ExecutorOptions } from './executor-options.js'
import { spawnThread } from './worker-handle.js'

/** Options of `ThreadPoolExecutor`. @since 0.1.0 */
export interface ThreadPoolOptions extends ExecutorOptions {
  /** Heap limits per worker; a worker over them dies and its job fails with `WorkerCrashedError`. */
  readonly resourceLimits?: ResourceLimits | undefined
  /** The workers' `process.env` (default: a copy of the parent's). */
  readonly env?: NodeJS.ProcessEnv | undefined
}

/**
 * Runs CPU work on worker threads (concurrent.futures `ThreadPoolExecutor`, without a GIL).
 * Arguments and results are structured-cloned; `ArrayBuffer`s in `transfer` move without a copy
 * and `SharedArrayBuffer`s are shared.
 *
 * @example
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 })
 * console.log(await pool.submit(add, 1, 2)) // 3
 * @since 0.1.0
 */
export class ThreadPoolExecutor extends Executor {
  constructor(opts: ThreadPoolOptions = {}) {
    // Read with `?.`: the base class says what is wrong with options that are not an object.
    const o = opts as ThreadPoolOptions | null | undefined
    super(opts, 'ThreadPoolExecutor', spawnThread, {
      resourceLimits: o?.resourceLimits,
      env: o?.env,
      execArgv: workerExecArgv(process.execArgv, 'thread'),
    })
  }
}
