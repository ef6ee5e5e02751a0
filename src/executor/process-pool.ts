/**
 * `ProcessPoolExecutor`: an executor on forked child processes.
 *
 * @module
 */
import { workerExecArgv } from './exec-argv.js'
import { Executor } from './executor.js'
import type { ExecutorOptions } from './executor-options.js'
import { spawnProcess } from './worker-handle.js'

/** Options of `ProcessPoolExecutor`. @since 0.1.0 */
export interface ProcessPoolOptions extends ExecutorOptions {
  /** The children's environment (default: the parent's). */
  readonly env?: NodeJS.ProcessEnv | undefined
}

/**
 * Runs work in child processes (concurrent.futures `ProcessPoolExecutor`): full isolation, so a
 * segfault or a native crash takes down only one worker. Arguments and results cross by the V8
 * serializer (the same types as structured clone); transfer lists do not apply.
 *
 * **Details**: children exit when their parent dies, even by SIGKILL: the IPC channel closes and
 * the child leaves as soon as its current job yields.
 *
 * @example
 * await using pool = new ProcessPoolExecutor({ maxWorkers: 2 })
 * console.log(await pool.submit(add, 1, 2)) // 3
 * @since 0.1.0
 */
export class ProcessPoolExecutor extends Executor {
  constructor(opts: ProcessPoolOptions = {}) {
    // Read with `?.`: the base class says what is wrong with options that are not an object.
    const o = opts as ProcessPoolOptions | null | undefined
    super(opts, 'ProcessPoolExecutor', spawnProcess, {
      env: o?.env,
      execArgv: workerExecArgv(process.execArgv, 'process'),
    })
  }
}
