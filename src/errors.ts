/**
 * Every public error of verdant, in one flat hierarchy.
 *
 * `instanceof` does not survive a worker, process or network boundary, so each class also carries a
 * stable `name` and `code` that a codec can rebuild it from.
 *
 * @module
 */

/**
 * Base class of every error verdant raises on its own behalf.
 *
 * @since 0.1.0
 */
export class VerdantError extends Error {
  /** A stable machine-readable code, e.g. `'ERR_VERDANT_CANCELLED'`. */
  readonly code: string = 'ERR_VERDANT'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/**
 * Raised in a task, or from a wait, that was cancelled (asyncio `CancelledError`).
 *
 * **Details**: it is not a failure. A task that ends with it is `cancelled`, never `failed`, and
 * it is never reported as an unobserved failure. `reason` is what the canceller passed, if anything.
 * It is not a `TimeoutError`: a timeout that fires is its own error, so code can tell them apart.
 * @since 0.1.0
 */
export class CancelledError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_CANCELLED'
  /** What the canceller gave as the reason, if anything. */
  readonly reason: unknown
  constructor(message = 'cancelled', reason?: unknown, options?: ErrorOptions) {
    super(message, options)
    this.reason = reason
  }
}

/**
 * The `CancelledError` that `task.kill()` raises inside the task (gevent `GreenletExit`).
 *
 * **Details**: a task may catch it and return a value, exactly as a greenlet may catch
 * `GreenletExit`; it then ends `succeeded` with that value. Left uncaught, the task ends `cancelled`
 * and this error is its `exception`.
 * @since 0.1.0
 */
export class TaskKilled extends CancelledError {
  override readonly code: string = 'ERR_VERDANT_TASK_KILLED'
  /** The name of the task that was killed. */
  readonly task: string
  constructor(task: string, reason?: unknown) {
    super(`task ${task} was killed${reason === undefined ? '' : `: ${describe(reason)}`}`, reason)
    this.task = task
  }
}

/**
 * Raised when a time limit expires: a `Timeout` firing in its task, `withTimeout`, or a wait's
 * `{timeout}` option.
 *
 * **Details**: every `timeout` option that throws on expiry throws this, whatever the wait (a
 * lock, a queue `put` or `get`, a future's `get`, an executor job, an actor's `ask`), so one
 * `catch` handles them all. Waits whose gevent semantics is to report a timeout by value (`join`,
 * `Event.wait`, `Condition.wait`, `wait`) return it instead of throwing.
 *
 * `timeout` identifies the limit that fired, so a handler can tell its own expiry from
 * an outer one (gevent's "not my timeout"); it is `undefined` for the `{timeout}` option of a single
 * wait. The name is `'TimeoutError'`, so checks written for the `DOMException` raised by
 * `AbortSignal.timeout()` keep working. It is not a `CancelledError`.
 * @since 0.1.0
 */
export class TimeoutError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_TIMEOUT'
  /** The limit that fired: a `Timeout`, or the token of a `withTimeout` call. */
  readonly timeout: object | undefined
  constructor(message: string, timeout?: object) {
    super(message)
    this.timeout = timeout
  }
}

/**
 * Raised by a call made at the wrong time: `result()` on a pending future, `setResult` on a done
 * one, starting a `Timeout` twice, spawning into a finished task (asyncio `InvalidStateError`).
 * It is a bug in the caller, not a runtime condition to handle.
 * @since 0.1.0
 */
export class InvalidStateError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_INVALID_STATE'
}

/**
 * "This is a bug in verdant" (trio `TrioInternalError`). Never raised by correct use.
 * @since 0.1.0
 */
export class VerdantInternalError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_INTERNAL'
}

/** Short printable form of a value for error messages. @internal */
export function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value)
  return String(value)
}

/** Validates a duration in milliseconds; `Infinity` means "no limit". @internal */
export function checkMs(name: string, ms: unknown): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms < 0) {
    throw new RangeError(
      `Expected \`${name}\` to be a number of milliseconds >= 0, got \`${describe(ms)}\` (${typeof ms})`,
    )
  }
  return ms
}

/** A `TypeError` in the style of the checks here, naming the argument, its value and its type. @internal */
export function typeError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(
    `Expected \`${name}\` to be ${expected}, got \`${describe(value)}\` (${typeOf(value)})`,
  )
}

/** `typeof`, except that `null` and arrays say what they are. */
function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** Validates a `signal` option: undefined or an `AbortSignal`. @internal */
export function checkSignal(signal: unknown, name = 'signal'): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  throw typeError(name, 'an AbortSignal', signal)
}

/** Validates an options argument: undefined or an object. @internal */
export function checkOptions<T>(opts: T, name = 'opts'): T {
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
    throw typeError(name, 'an options object', opts)
  }
  return opts
}

/**
 * Validates the options of a wait (`{timeout, signal}`) and returns its limit in ms, or undefined
 * for none (`Infinity` is none). Every wait checks them at the call: a lazy op started later would
 * report the mistake far from it. @internal
 */
export function checkWait(
  opts: { readonly timeout?: unknown; readonly signal?: unknown } | undefined,
): number | undefined {
  checkOptions(opts)
  if (opts === undefined) return undefined
  checkSignal(opts.signal)
  const ms = opts.timeout
  return ms === undefined || checkMs('timeout', ms) === Infinity ? undefined : (ms as number)
}

/**
 * Validates an iterable argument and returns it. A string is refused unless `strings` allows it:
 * where a collection of objects is expected, a string is always a mistake, and iterating it would
 * blame its first character instead of the argument. @internal
 */
export function checkIterable(
  name: string,
  value: unknown,
  expected: string,
  opts?: { readonly strings?: boolean },
): Iterable<unknown> {
  const iterable =
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function') ||
    (typeof value === 'string' && opts?.strings === true)
  if (!iterable) throw typeError(name, expected, value)
  return value as Iterable<unknown>
}

/**
 * Validates a count: an integer >= `min`, or `Infinity` when `infinite` allows it. `hint` is
 * appended to the message. @internal
 */
export function checkCount(
  name: string,
  n: unknown,
  min: number,
  opts?: { readonly infinite?: boolean; readonly hint?: string },
): number {
  const infinite = opts?.infinite === true
  if (typeof n === 'number' && ((infinite && n === Infinity) || (Number.isInteger(n) && n >= min))) return n
  throw new RangeError(
    `Expected \`${name}\` to be an integer >= ${String(min)}${infinite ? ' or Infinity' : ''}, got \`${describe(n)}\`${opts?.hint ?? ''}`,
  )
}

/**
 * `getNowait()` or `peek()` on an empty queue (gevent `Empty`, asyncio `QueueEmpty`). Not raised
 * for a shut-down queue (that is `QueueShutDown`), nor by `get({timeout})` running out of time:
 * that is a `TimeoutError`, like every timed wait.
 * @since 0.1.0
 */
export class QueueEmpty extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_QUEUE_EMPTY'
}

/**
 * `putNowait()` on a full queue (gevent `Full`, asyncio `QueueFull`). `item` is the item that was
 * not put, so nothing is lost. `put({timeout})` running out of time raises a `TimeoutError`
 * instead, like every timed wait.
 * @since 0.1.0
 */
export class QueueFull extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_QUEUE_FULL'
  /** The item that was not put. */
  readonly item: unknown
  constructor(message: string, item: unknown) {
    super(message)
    this.item = item
  }
}

/**
 * The queue was shut down (asyncio 3.13 `QueueShutDown`): raised by `put` after `shutdown()`, and by
 * `get` once a shut-down queue is empty. `items` holds what this error is the last word on: the item
 * a `put` could not add, or the items an immediate shutdown dropped.
 * @since 0.1.0
 */
export class QueueShutDown extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_QUEUE_SHUT_DOWN'
  /** Items not delivered because of the shutdown (possibly empty). */
  readonly items: readonly unknown[]
  constructor(message: string, items: readonly unknown[] = []) {
    super(message)
    this.items = items
  }
}

/**
 * A `Barrier` was reset or aborted while tasks waited on it, or is broken (asyncio
 * `BrokenBarrierError`). Not a timeout of one waiter: that breaks the barrier for everyone and
 * raises this error in the others, `TimeoutError` in the one that timed out.
 * @since 0.1.0
 */
export class BrokenBarrierError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_BROKEN_BARRIER'
}

/**
 * The worker that ran a job died: it threw outside the job, called `process.exit`, ran out of
 * memory, was terminated after ignoring a cancellation, or its process was killed by a signal.
 *
 * **Details**: only the job that was running fails with it; jobs queued behind it run on the
 * replacement worker. `cause` names what happened in words; `exitCode` and `signal` are set when the
 * worker exited with one.
 * @since 0.1.0
 */
export class WorkerCrashedError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_WORKER_CRASHED'
  /** What killed the worker, e.g. `'exited with code 3'` or `'out of memory'`. */
  readonly reason: string
  /** The exit code, if the worker exited with one. */
  readonly exitCode: number | undefined
  /** The signal that killed a child process, if any. */
  readonly signal: string | undefined
  /**
   * True when the job itself ran to its end and only its result died with the worker (another job
   * crashed it): the job's effects happened, so it is not run again. @since 0.2.0
   */
  readonly resultLost: boolean
  constructor(
    message: string,
    reason: string,
    details: {
      exitCode?: number | undefined
      signal?: string | undefined
      cause?: unknown
      resultLost?: boolean | undefined
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.reason = reason
    this.exitCode = details.exitCode
    this.signal = details.signal
    this.resultLost = details.resultLost ?? false
  }
}

/**
 * An argument or a result cannot cross to another thread or process (a function, a promise, a
 * class instance holding a socket): the structured-clone `DataCloneError`, naming what it was.
 * Raised before anything is sent, so the job never starts.
 * @since 0.1.0
 */
export class DataCloneError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_DATA_CLONE'
}

/**
 * The executor was shut down: `submit` after `shutdown()`, or a queued job dropped by
 * `shutdown({cancelFutures: true})` (whose future is cancelled with this as reason).
 * @since 0.1.0
 */
export class ExecutorShutDownError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_EXECUTOR_SHUT_DOWN'
}

/**
 * A job waits for another job of the same executor while every worker is taken by such a waiting
 * job, so the awaited job could never start (the thread-pool deadlock of `concurrent.futures`).
 * The awaited job fails with it instead of hanging for ever.
 * @since 0.1.0
 */
export class DeadlockError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_DEADLOCK'
}

/**
 * A message could not reach its actor because the actor has stopped (Akka `ActorDeadError`):
 * an `ask` to a stopped actor, or an ask whose message went to dead letters when its actor
 * stopped before handling it.
 * @since 0.1.0
 */
export class ActorStoppedError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_ACTOR_STOPPED'
  /** The path of the actor. */
  readonly path: string
  constructor(path: string, message = `actor ${path} is stopped`) {
    super(message)
    this.path = path
  }
}

/**
 * `tell` to a bounded mailbox that is full, with the overflow policy `fail` (Akka
 * `MailboxFull`). The message was not enqueued.
 * @since 0.1.0
 */
export class MailboxFullError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_MAILBOX_FULL'
  /** The path of the actor. */
  readonly path: string
  /** The message that did not fit. */
  readonly item: unknown
  constructor(path: string, capacity: number, item: unknown) {
    super(`mailbox of ${path} is full (capacity ${String(capacity)})`)
    this.path = path
    this.item = item
  }
}

/**
 * A supervisor restarted its children more often than its intensity allows (OTP: more than
 * `intensity` restarts within `period`). The supervisor stopped its children and fails with this,
 * so its own supervisor decides; `cause` is the last child failure.
 * @since 0.1.0
 */
export class RestartIntensityError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_RESTART_INTENSITY'
  /** The path of the supervisor that gave up. */
  readonly path: string
  constructor(path: string, restarts: number, withinMs: number, cause: unknown) {
    super(
      `supervisor ${path} gave up: more than ${String(restarts)} restarts within ${String(withinMs)} ms`,
      { cause },
    )
    this.path = path
  }
}

/**
 * An `ask` got no reply within its timeout. It is a `TimeoutError`, so one `catch` handles every
 * timeout, and names what was asked: the target's path and the message's type.
 * @example
 * try { await ref.ask((replyTo) => ({ type: 'get', replyTo }), { timeout: 500 }) }
 * catch (e) { if (e instanceof AskTimeoutError) console.log(e.target, e.messageType) } // '/user/x' 'get'
 * @since 0.3.0
 */
export class AskTimeoutError extends TimeoutError {
  override readonly code: string = 'ERR_VERDANT_ASK_TIMEOUT'
  /** The path of the actor asked (with its node, for a remote one). */
  readonly target: string
  /** The message's `type` field, else its class name, else its `typeof`. */
  readonly messageType: string
  constructor(target: string, messageType: string, ms: number) {
    super(`ask to ${target} (${messageType}) got no reply within ${String(ms)} ms`)
    this.target = target
    this.messageType = messageType
  }
}

/**
 * A message was sent to an actor that does not exist: no actor at that path, or a later actor in
 * the place of the stopped one a ref was made for. An `ask` rejects with it at once, not after its
 * timeout. It is an `ActorStoppedError`, as a local ask to a stopped actor rejects with.
 * @since 0.3.0
 */
export class ActorNotFoundError extends ActorStoppedError {
  override readonly code: string = 'ERR_VERDANT_ACTOR_NOT_FOUND'
  /** The message's type, as in `AskTimeoutError`. */
  readonly messageType: string
  constructor(path: string, messageType: string, why = 'no such actor') {
    super(path, `${why}: ${path} (${messageType})`)
    this.messageType = messageType
  }
}

/**
 * A message could not reach the node of its actor: the node is unreachable or down, it left, or
 * nothing on the network listens for it (`no-responders`), or the connection itself is closed.
 * An `ask` rejects with it at once.
 * @since 0.3.0
 */
export class NodeUnreachableError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_NODE_UNREACHABLE'
  /** The node's id; empty for a service, which lives on no one node. */
  readonly node: string
  /** The path of the actor the message was for (`/service/<name>` for a service). */
  readonly target: string
  /** The message's type, as in `AskTimeoutError`. */
  readonly messageType: string
  /** Which case it was. */
  readonly reason: 'unreachable' | 'down' | 'no-responders' | 'disconnected'
  constructor(
    node: string,
    target: string,
    messageType: string,
    reason: 'unreachable' | 'down' | 'no-responders' | 'disconnected',
  ) {
    const why =
      reason === 'no-responders'
        ? 'nothing on the network listens for it (no responders)'
        : reason === 'disconnected'
          ? 'the connection is closed'
          : `the node is ${reason}`
    super(`cannot reach ${target} (${messageType})${node === '' ? '' : ` on node ${node}`}: ${why}`)
    this.node = node
    this.target = target
    this.messageType = messageType
    this.reason = reason
  }
}

/**
 * A message is larger than the network allows in one frame (NATS's `max_payload`). Nothing was
 * sent: `tell` throws it, `ask` rejects with it.
 * @since 0.3.0
 */
export class PayloadTooLargeError extends VerdantError {
  override readonly code: string = 'ERR_VERDANT_PAYLOAD_TOO_LARGE'
  /** The encoded size in bytes. */
  readonly size: number
  /** The largest frame allowed, in bytes. */
  readonly limit: number
  constructor(target: string, messageType: string, size: number, limit: number) {
    super(
      `message to ${target} (${messageType}) is ${String(size)} bytes, over the limit of ${String(limit)} bytes`,
    )
    this.size = size
    this.limit = limit
  }
}

/**
 * The short name of a message's type for errors and logs: its string `type` field, else its class
 * name, else its `typeof`. @internal
 */
export function messageTypeOf(msg: unknown): string {
  if (typeof msg === 'object' && msg !== null) {
    const t = (msg as { type?: unknown }).type
    if (typeof t === 'string') return t
    const name = msg.constructor?.name
    return typeof name === 'string' && name !== '' ? name : 'object'
  }
  return typeof msg === 'symbol' ? (msg.description ?? 'symbol') : typeof msg
}
