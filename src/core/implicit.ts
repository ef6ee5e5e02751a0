/**
 * Opt-in implicit context: with it on, `currentTask()` and `spawn()` know their task after an
 * `await` too, so plain `spawn` makes children everywhere.
 *
 * It uses AsyncLocalStorage, which on Node 20 makes every `await` in the whole process about 3x
 * slower once any instance is in use (on Node 24, with AsyncContextFrame, `await` is unaffected but
 * each `run()` still costs about 0.6 µs). That is why the core never needs it and it is off until
 * asked for.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { hooks } from './hooks.js'
import type { Task } from './task.js'

let storage: AsyncLocalStorage<Task<unknown>> | undefined

/**
 * Switches on the implicit context for tasks spawned from now on.
 *
 * **Details**: costs every `await` in the process on Node 20 (see the module comment); measure
 * before turning it on in production. Debug mode turns it on to name the task behind a slow step.
 * @example
 * enableImplicitContext()
 * spawn(async () => { await sleep(1); spawn(child) }) // child is still a child here
 * @since 0.1.0
 */
export function enableImplicitContext(): void {
  if (storage !== undefined) return
  const als = new AsyncLocalStorage<Task<unknown>>()
  storage = als
  hooks.implicit = {
    run: (task, fn) => als.run(task, fn),
    current: () => als.getStore(),
  }
}

/** Switches it off again; tasks already running keep what they had. @since 0.1.0 */
export function disableImplicitContext(): void {
  storage?.disable()
  storage = undefined
  hooks.implicit = undefined
}

/** True while the implicit context is on. @since 0.1.0 */
export function implicitContextEnabled(): boolean {
  return storage !== undefined
}
