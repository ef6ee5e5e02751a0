/**
 * `ActorSystem`: the root of an actor tree, its guardian, dead letters and shutdown.
 *
 * The system's root is a verdant task, spawned where the system is made (a child of the current
 * task when there is one). Killing that task, for instance by a signal under `run()`, shuts the
 * tree down gracefully; so does `shutdown()`, `await using`, or a failure escalated past the
 * guardian (OTP: when the top supervisor dies, the application stops).
 *
 * @module
 */
import { ActorStoppedError, checkMs, checkOptions, describe, MailboxFullError, typeError } from '../errors.js'
import { observe, unobserve } from '../platform/observed.js'
import { currentTask } from '../core/registry.js'
import { spawnUnder } from '../core/spawn.js'
import type { Task } from '../core/task.js'
import { Event } from '../sync/event.js'
import {
  type ActorRef,
  type AnyActorRef,
  type BackpressureRef,
  cellOf,
  type ReplySlot,
  type SenderSlot,
} from './actor-ref.js'
import { behavior } from './behavior.js'
import { ActorCell } from './cell.js'
import { BUSY, DEAD, NEW, STOPPING, SUSPENDED } from './cell-state.js'
import { type DeadLetterReason, DeadLetters } from './dead-letters.js'
import { mailboxSize } from './delivery.js'
import { incarnate } from './incarnation.js'
import { consoleSink, filtered, type LogLevel, type LogSink, writeLog } from './logger.js'
import type { ActorDef, BackpressureSpawn, SpawnOptions } from './spawn-options.js'

/** Options of `ActorSystem`. @since 0.1.0 */
export interface ActorSystemOptions {
  /** The system's name, used in logs and its root task's name (default `verdant`). */
  readonly name?: string | undefined
  /** Where log records go (default: stderr). */
  readonly log?: LogSink | undefined
  /** The least severe level written (default `warn`); `off` writes nothing. */
  readonly logLevel?: LogLevel | 'off' | undefined
  /** How long one actor may take to finish its current message or a hook when stopping (default 5000 ms). */
  readonly stopTimeoutMs?: number | undefined
  /**
   * What a failure escalated past the guardian does: `shutdown` (default) stops the whole system,
   * as OTP stops an application whose top supervisor dies; `stop` stops only that top-level actor.
   */
  readonly onEscalation?: 'shutdown' | 'stop' | undefined
}

/** The event a system's task waits on until someone stops the system; it names the system. */
class StopRequest extends Event {
  constructor(readonly system: { readonly name: string }) {
    super()
  }
  /** @internal */
  override _waitLabel(): string {
    return `a shutdown of actor system ${JSON.stringify(this.system.name)}`
  }
}

/** What `shutdown` reports. @since 0.1.0 */
export interface ShutdownReport {
  /** Actors stopped during the system's life, including by the shutdown. */
  readonly stopped: number
  /** Paths of actors that did not finish a message or hook within the stop timeout. */
  readonly unresponsive: readonly string[]
  /** The failure escalated past the guardian, if one shut the system down. */
  readonly error?: unknown
}

/** A snapshot of one actor, for monitoring. @since 0.1.0 */
export interface ActorInfo {
  readonly path: string
  readonly status: 'starting' | 'running' | 'busy' | 'suspended' | 'stopping' | 'stopped'
  /** Messages waiting in its mailbox. */
  readonly mailboxSize: number
  /** How many times it was restarted. */
  readonly restarts: number
  /** How many live children it has. */
  readonly children: number
}

/** What an actor is doing, from its flags. @internal */
export function statusOf(cell: ActorCell): ActorInfo['status'] {
  const f = cell._flags
  return (f & DEAD) !== 0
    ? 'stopped'
    : (f & STOPPING) !== 0
      ? 'stopping'
      : (f & NEW) !== 0
        ? 'starting'
        : (f & SUSPENDED) !== 0
          ? 'suspended'
          : (f & BUSY) !== 0
            ? 'busy'
            : 'running'
}

const LEVELS: readonly (LogLevel | 'off')[] = ['debug', 'info', 'warn', 'error', 'off']

const guardianDef = behavior<unknown>(() => (msg, ctx) => {
  ctx.system._deadLetter(msg, ctx.self.path, undefined, 'stopped')
})

/**
 * A tree of actors under one guardian (`/user`).
 * @example
 * const system = new ActorSystem({ name: 'app' })
 * const counter = system.spawn(Counter, { name: 'counter' })
 * counter.tell({ type: 'inc' })
 * console.log(await counter.ask((replyTo) => ({ type: 'get', replyTo }), { timeout: 1000 })) // a number
 * await system.shutdown()
 * @since 0.1.0
 */
export class ActorSystem implements AsyncDisposable {
  /** The system's name. */
  readonly name: string
  /** Messages no actor handled, counted and subscribable. */
  readonly deadLetters: DeadLetters
  /** @internal */
  readonly _sink: LogSink | null
  /** @internal */
  _stopTimeoutMs: number
  readonly #guardian: ActorCell
  readonly #onEscalation: 'shutdown' | 'stop'
  readonly #stopRequested = new StopRequest(this)
  readonly #task: Task<ShutdownReport>
  readonly #unresponsive: string[] = []
  #stopped = 0
  #ids = 0
  #escalated: unknown = undefined
  #hasEscalated = false
  #report: ShutdownReport | undefined
  /** Dead letters are logged at debug level; describing each one is skipped unless it is kept. */
  readonly #logsDeadLetters: boolean

  constructor(opts?: ActorSystemOptions) {
    this.name = checkOptions(opts)?.name ?? 'verdant'
    if (typeof this.name !== 'string') throw typeError('name', 'a string', this.name)
    this._stopTimeoutMs = checkMs('stopTimeoutMs', opts?.stopTimeoutMs ?? 5000)
    const onEscalation = opts?.onEscalation ?? 'shutdown'
    if (onEscalation !== 'shutdown' && onEscalation !== 'stop') {
      throw new TypeError(
        `Expected \`onEscalation\` to be 'shutdown' or 'stop', got ${describe(onEscalation)}`,
      )
    }
    this.#onEscalation = onEscalation
    const sink = opts?.log ?? consoleSink
    if (typeof sink !== 'function')
      throw new TypeError(`Expected \`log\` to be a function, got ${describe(sink)}`)
    const level = opts?.logLevel ?? 'warn'
    if (!LEVELS.includes(level)) {
      throw new TypeError(`Expected \`logLevel\` to be one of ${LEVELS.join(', ')}, got ${describe(level)}`)
    }
    this._sink = filtered(sink, level)
    this.#logsDeadLetters = level === 'debug'
    this.deadLetters = new DeadLetters((err) => {
      this._log('error', this.name, 'a dead-letter listener threw', err)
    })
    this.#guardian = new ActorCell(this, null, 'user', guardianDef, null)
    incarnate(this.#guardian, undefined, false)
    this.#task = spawnUnder(
      currentTask(),
      async (ctx) => {
        try {
          // Bound to the task, so a kill ends the wait, and its row on the observer page says why it waits.
          await ctx.call(this.#stopRequested.wait())
        } finally {
          await this.#guardian._stop()
          this.#report = this.#makeReport()
          unobserve('actor-system', this)
        }
        if (this.#hasEscalated) throw this.#escalated
        return this.#report
      },
      { name: `actor-system:${this.name}` },
    )
    observe('actor-system', this)
  }

  /** @internal The guardian, root of the actor tree, for the observer's walk. */
  get _guardian(): ActorCell {
    return this.#guardian
  }

  /**
   * Starts a top-level actor under the guardian and returns its ref.
   * **Throws**: `TypeError` for a bad definition, name or option; `InvalidStateError` if the name
   * is taken or the system is shutting down.
   */
  spawn<M>(def: ActorDef<M>, opts: BackpressureSpawn & SpawnOptions<M>): BackpressureRef<M>
  spawn<M>(def: ActorDef<M>, opts?: SpawnOptions<M>): ActorRef<M>
  spawn<M>(def: ActorDef<M>, opts?: SpawnOptions<M>): ActorRef<M> {
    return this.#guardian._spawnChild(def as ActorDef<unknown>, opts as SpawnOptions<unknown>, true).self
  }

  /**
   * Stops the actor after its current message (children first) and resolves once it stopped.
   * **Throws**: `TypeError` at the call if `ref` is not the ref of an actor.
   */
  stop(ref: AnyActorRef): Promise<void> {
    // A remote ref would be resolved here to its `StopTarget`; only local cells are so far.
    const cell = cellOf(ref)
    if (cell === undefined) throw typeError('ref', 'an actor ref', ref)
    return cell._stop()
  }

  /**
   * The ref at `path` (`/user/a/b`, or `a/b` under `/user`), or undefined if no live actor is there.
   * @example
   * const poller = system.lookup<PollerMsg>('/user/stats/poller-1')
   */
  lookup<M = unknown>(path: string): ActorRef<M> | undefined {
    if (typeof path !== 'string') throw typeError('path', 'a string', path)
    const parts = path.split('/').filter((p) => p !== '')
    let i = 0
    if (path.startsWith('/')) {
      if (parts[0] !== 'user') return undefined
      i = 1
    }
    let cell: ActorCell | undefined = this.#guardian
    for (; i < parts.length && cell !== undefined; i++) {
      const part = parts[i] as string
      const key = part.startsWith('$') ? Number(part.slice(1)) : part
      cell = cell._children?.get(key)
    }
    if (cell === undefined || (cell._flags & DEAD) !== 0) return undefined
    return cell.self
  }

  /** A snapshot of the actor behind `ref` (mailbox size, status, restarts), for monitoring. */
  inspect(ref: AnyActorRef): ActorInfo {
    const cell = cellOf(ref)
    if (cell === undefined) throw typeError('ref', 'an actor ref', ref)
    const status = statusOf(cell)
    return {
      path: cell._path(),
      status,
      mailboxSize: mailboxSize(cell),
      restarts: cell._ext?.restarts ?? 0,
      children: cell._children?.size ?? 0,
    }
  }

  /**
   * Stops every actor, top-down (each actor finishes its current message, its children stop, then
   * its `postStop` runs), each step bounded by `timeoutMs` per actor, and reports the actors that
   * would not stop. Idempotent.
   */
  shutdown(opts?: { readonly timeoutMs?: number | undefined }): Promise<ShutdownReport> {
    // Not async: a bad option throws at the call, before the system starts stopping.
    const timeoutMs = checkOptions(opts)?.timeoutMs
    if (timeoutMs !== undefined) this._stopTimeoutMs = checkMs('timeoutMs', timeoutMs)
    this.#stopRequested.set()
    return this.whenTerminated
  }

  /** Resolves with the shutdown report once the system has stopped, however it stopped. */
  get whenTerminated(): Promise<ShutdownReport> {
    this.#task._observed = true
    return this.#task.join().then(() => this.#report ?? this.#makeReport())
  }

  /** True once the system has stopped. */
  get terminated(): boolean {
    return this.#task.done
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown()
  }

  #makeReport(): ShutdownReport {
    const base = { stopped: this.#stopped, unresponsive: [...this.#unresponsive] }
    return this.#hasEscalated ? { ...base, error: this.#escalated } : base
  }

  /** @internal */
  _nextId(): number {
    return ++this.#ids
  }

  /** @internal */
  _log(level: LogLevel, path: string, message: string, error?: unknown): void {
    writeLog(this._sink, level, path, message, error)
  }

  /** @internal */
  _deadLetter(
    message: unknown,
    recipient: string,
    sender: SenderSlot | undefined,
    reason: DeadLetterReason,
    error?: unknown,
  ): void {
    if (sender !== undefined && sender._kind === 1 && (reason === 'stopped' || reason === 'dropped')) {
      ;(sender as ReplySlot)._fail(
        reason === 'stopped' ? new ActorStoppedError(recipient) : new MailboxFullError(recipient, 0, message),
      )
    }
    const from =
      sender !== undefined && sender._kind <= 1 ? (sender as unknown as AnyActorRef).path : undefined
    this.deadLetters._publish(
      error === undefined
        ? { message, recipient, sender: from, reason }
        : { message, recipient, sender: from, reason, error },
    )
    if (this.#logsDeadLetters) this._log('debug', recipient, `dead letter (${reason}): ${describe(message)}`)
  }

  /** @internal */
  _unresponsive(cell: ActorCell): void {
    const path = cell._path()
    this.#unresponsive.push(path)
    this._log('warn', path, `did not finish within ${String(this._stopTimeoutMs)} ms`)
  }

  /** @internal */
  _stopped(cell: ActorCell): void {
    if (cell !== this.#guardian) this.#stopped++
  }

  /** @internal A failure reached the guardian. */
  _escalate(error: unknown, from: ActorCell): void {
    this._log('error', from._path(), 'failure escalated past the guardian', error)
    if (this.#onEscalation === 'stop') return
    if (!this.#hasEscalated) {
      this.#hasEscalated = true
      this.#escalated = error
    }
    this.#stopRequested.set()
  }
}
