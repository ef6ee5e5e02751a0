/**
 * The rules of the task tree: a kill goes down to the children, a failure nobody observed goes up
 * to the parent, and a task settles once its body and all its children are done.
 *
 * Structure: a task spawned inside a task is its child. A child failure nobody observed cancels
 * the siblings and the body and becomes the parent's failure (asyncio TaskGroup); several become
 * an `AggregateError`. A recorded failure wins over a cancellation, which wins over the body's
 * value. Children are killed first to last, in spawn order.
 *
 * Why apart from `task.ts`: these rules are the same for both flavours of body and act only
 * through the task's internal surface (its flags, cold part, child list and `_interrupt`), while
 * how an error reaches a running body is the driver's business. Split this way, changing how a
 * body is stepped cannot change which outcome wins, and the driver stays readable on its own.
 * Plain functions over the task rather than methods: nothing is added to a task, and the calls are
 * as monomorphic as the methods were.
 *
 * @module
 */
import { CancelledError, TaskKilled } from '../errors.js'
import type { Task } from './task.js'
import { registry, roots } from './registry.js'
import { reportLater } from './report.js'
import { BODY_CANCELLED, BODY_DONE, type Cold } from './task-state.js'

/** Kills `task` and its children (see `Task.kill`); a second request does nothing. @internal */
export function requestKill(task: Task<unknown>, reason: unknown): void {
  if (task.done) return
  const cold = task._getCold()
  if (cold.kill !== undefined) return
  const killed = new TaskKilled(task.name, reason)
  cold.kill = killed
  if (task._state === 'pending') {
    // Never started: it never runs, and has no children.
    cold.startTimer?.cancel()
    cold.startTimer = undefined
    task._flags |= BODY_DONE | BODY_CANCELLED
    task._result = killed
    finish(task)
    return
  }
  cold.controller?.abort(killed)
  if ((task._flags & BODY_DONE) !== 0) {
    // The body returned and the task only waits for its children: like an asyncio task killed
    // in its TaskGroup's exit, it ends cancelled (a failure already recorded still wins). Set
    // before the children die, since the last one finishing settles this task at once.
    task._flags |= BODY_CANCELLED
    task._result = killed
    killChildren(task, reason)
    return
  }
  killChildren(task, reason)
  task._interrupt(killed)
}

/**
 * The body ended (the driver has let go of it): its outcome waits in `_result` until the task
 * settles, and a failure other than a cancellation becomes the task's. @internal
 */
export function bodyEnded(task: Task<unknown>, ok: boolean, value: unknown): void {
  task._result = value
  if (!ok) {
    if (value instanceof CancelledError) task._flags |= BODY_CANCELLED
    else recordFailure(task, value)
  }
  maybeFinish(task)
}

/** A child of `parent` failed with nobody observing yet: decide at the end of the turn. @internal */
export function checkChildFailure(parent: Task<unknown>, child: Task<unknown>): void {
  const cold = parent._getCold()
  cold.heldChecks++
  reportLater(child, (observed) => {
    cold.heldChecks--
    if (!observed) recordFailure(parent, child._result)
    maybeFinish(parent)
  })
}

/** `error` (the body's, or a child's nobody observed) becomes the task's failure. */
function recordFailure(task: Task<unknown>, error: unknown): void {
  ;(task._getCold().errors ??= []).push(error)
  cancelForFailure(task, error)
}

function cancelForFailure(task: Task<unknown>, cause: unknown): void {
  const cold = task._getCold()
  if (cold.cancelling !== undefined || cold.kill !== undefined) return
  const err = new CancelledError(`task ${task.name} was cancelled because a child failed`, cause)
  cold.cancelling = err
  cold.controller?.abort(err)
  killChildren(task, err)
  task._interrupt(err)
}

function killChildren(task: Task<unknown>, reason: unknown): void {
  const children = task._children
  if (children === undefined || children.size === 0) return
  for (const child of children.toArray()) requestKill(child, reason)
}

function maybeFinish(task: Task<unknown>): void {
  if ((task._flags & BODY_DONE) === 0 || task.done) return
  const cold = task._cold
  if (cold !== undefined && cold.heldChecks > 0) return
  const children = task._children
  if (children !== undefined && children.size > 0) return
  finish(task)
}

function finish(task: Task<unknown>): void {
  const parent = task._parent
  if (parent === undefined) roots.remove(task)
  else parent._children?.remove(task)
  registry.live--
  const cold = task._cold
  const bound = cold?.bound
  if (bound !== undefined) {
    ;(cold as Cold).bound = undefined
    for (const item of bound) item._taskEnded()
  }
  const errors = cold?.errors
  if (errors !== undefined && errors.length > 0) {
    const error =
      errors.length === 1
        ? errors[0]
        : new AggregateError(errors, `${errors.length} errors in task ${task.name}`, { cause: errors[0] })
    registry.failed++
    task._settle('failed', error)
  } else if ((task._flags & BODY_CANCELLED) !== 0) {
    registry.cancelled++
    task._settle('cancelled', task._result)
  } else {
    task._settle('succeeded', task._result)
  }
  if (parent !== undefined) maybeFinish(parent)
}
