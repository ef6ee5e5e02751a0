/**
 * The process-wide task registry and start queue: which tasks live (the roots, each with its
 * children), which task's step is running, and the microtask batch that starts spawned tasks.
 *
 * @module
 */
import { hooks } from './hooks.js'
import type { Task } from './task.js'
import { TaskList } from './task-list.js'

/** Live root tasks, in spawn order. @internal */
export const roots = new TaskList<Task<unknown>>()

/** @internal */
export const registry: {
  nextId: number
  /** How many tasks are live. */
  live: number
  /** Tasks that ended failed, and cancelled, since the process started (the observer shows them). */
  failed: number
  cancelled: number
  /** The task whose synchronous step is running right now, if verdant started that step. */
  current: Task<unknown> | undefined
} = { nextId: 1, live: 0, failed: 0, cancelled: 0, current: undefined }

let startQueue: Task<unknown>[] = []
let startScheduled = false
function drainStarts(): void {
  // Tasks spawned while draining land in a new batch, started in this same microtask loop.
  while (startQueue.length > 0) {
    const batch = startQueue
    startQueue = []
    for (const t of batch) t._begin()
  }
  startScheduled = false
}

/** Starts `task` in the microtask batch after the spawner's step. @internal */
export function scheduleStart(task: Task<unknown>): void {
  startQueue.push(task)
  if (!startScheduled) {
    startScheduled = true
    queueMicrotask(drainStarts)
  }
}

// Spawn times are read once per microtask batch: `performance.now()` on every spawn showed in
// profiles, and an age in `dumpTasks()` needs no better than that.
let coarseNow = 0
let coarseValid = false
function invalidateCoarse(): void {
  coarseValid = false
}

/** Whole milliseconds of `performance.now()`, read once per batch. @internal */
export function spawnTime(): number {
  if (!coarseValid) {
    coarseNow = Math.floor(performance.now())
    coarseValid = true
    queueMicrotask(invalidateCoarse)
  }
  return coarseNow
}

/**
 * The task whose step is running, where verdant can know it: inside a generator task, in the
 * synchronous start of an async body, or anywhere in implicit-context mode.
 * @since 0.1.0
 */
export function currentTask(): Task<unknown> | undefined {
  return registry.current ?? hooks.implicit?.current()
}

/**
 * Every live task (not yet done), parents before children, in spawn order.
 * @since 0.1.0
 */
export function allTasks(): Task<unknown>[] {
  const out: Task<unknown>[] = []
  const walk = (list: TaskList<Task<unknown>>): void => {
    for (const t of list.toArray()) {
      out.push(t)
      if (t._children !== undefined) walk(t._children)
    }
  }
  walk(roots)
  return out
}

/** Live root tasks in spawn order. @internal */
export function rootTasks(): Task<unknown>[] {
  return roots.toArray()
}

/** How many tasks are live; part of the leak check. @internal */
export function liveTaskCount(): number {
  return registry.live
}
