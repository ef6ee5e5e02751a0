/**
 * `toThread`: one call on a shared default thread pool (asyncio `to_thread`).
 *
 * @module
 */
import { ThreadPoolExecutor } from './thread-pool.js'
import type { SubmitOptions } from './executor-options.js'
import type { JobFuture } from './job-future.js'
import { checkTaskRef, type TaskRef, type WorkerFn } from './task-ref.js'

let shared: ThreadPoolExecutor | undefined

/**
 * The shared pool `toThread` uses, made on first use with the default options. Its idle workers
 * do not keep the process alive.
 * @since 0.1.0
 */
export function defaultExecutor(): ThreadPoolExecutor {
  if (shared === undefined || shared.isShutDown) shared = new ThreadPoolExecutor({ name: 'verdant-default' })
  return shared
}

/**
 * Shuts the shared pool down (waiting for its jobs); the next `toThread` makes a new one.
 * @since 0.1.0
 */
export async function shutdownDefaultExecutor(): Promise<void> {
  const pool = shared
  shared = undefined
  await pool?.shutdown()
}

/**
 * Runs `fn(...args)` on the shared thread pool; per-job options go first, as in `submit`.
 *
 * @example
 * const digest = await toThread(sha256, bytes)
 * const quick = await toThread({ timeout: 100 }, sha256, bytes)
 * @since 0.1.0
 */
export function toThread<F extends WorkerFn>(
  fn: TaskRef<F>,
  ...args: Parameters<F>
): JobFuture<Awaited<ReturnType<F>>>
export function toThread<F extends WorkerFn>(
  opts: SubmitOptions,
  fn: TaskRef<F>,
  ...args: Parameters<F>
): JobFuture<Awaited<ReturnType<F>>>
export function toThread(...args: unknown[]): JobFuture<unknown> {
  // The reference is checked before the default pool is made for it.
  const first = args[0]
  checkTaskRef(
    typeof first === 'object' && first !== null && !('moduleUrl' in first) && !('exportName' in first)
      ? args[1]
      : first,
    'toThread()',
  )
  const pool = defaultExecutor()
  // The implementation signature of `submit` takes either call shape.
  return (pool.submit as (...a: unknown[]) => JobFuture<unknown>).apply(pool, args)
}
