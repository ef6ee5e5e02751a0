/**
 * The map engine behind `Group`/`Pool` `map`, `imap` and `imapUnordered`.
 *
 * A task per item would cost a task per item; instead `limit` worker tasks pull items from the
 * source one at a time (the raw limiter every fast map library uses) and call `fn` directly. The
 * workers are tasks of the group, so killing the group or the caller stops them; leaving an
 * `imap` loop early stops them too. The source is pulled lazily, one item per free worker, so an
 * endless source is fine; `imap` buffers at most `4 × limit` finished results waiting for a slow
 * earlier one or for the consumer, so memory stays bounded.
 *
 * @module
 */
import { CancelledError, checkOptions, checkSignal, describe, TaskKilled, typeError } from '../errors.js'
import { isThenable } from '../core/op.js'
import { spawn } from '../core/spawn.js'
import { RingBuffer } from '../queue/ring-buffer.js'
import type { Task } from '../core/task.js'
import { abortError } from '../core/op.js'

/** What `map` and friends take items from. @since 0.1.0 */
export type Source<T> = Iterable<T> | AsyncIterable<T>

/** Options of `map`, `imap` and `imapUnordered`. @since 0.1.0 */
export interface MapOptions {
  /** Keep going on failures: the error takes the failed item's place in the results. */
  readonly returnExceptions?: boolean | undefined
  /** Keep going on failures: called with each failure; the failed item gives no result. */
  readonly onError?: ((error: unknown, index: number) => void) | undefined
  /** Stops the map (workers are killed) when it aborts; the map rejects with its reason. */
  readonly signal?: AbortSignal | undefined
}

/** The group side of the engine. @internal */
export interface MapHost {
  /** Adds a worker: a member like any other, but not one of the caller's tasks (no stats, no events). */
  _addWorker(task: Task<unknown>): void
  /** Waits for (or takes) a slot before a worker starts; returns the release. */
  _workerSlot?(signal: AbortSignal): Promise<() => void>
}

const SKIP: unique symbol = Symbol('skip')
const EMPTY: unique symbol = Symbol('empty')
/** `imap` buffers at most this many results per worker; parked workers wake at `LOW` per worker. */
const HIGH = 4
const LOW = 1

/** Pulls items one at a time from a sync or async iterator (async ones are serialised). */
class Puller<T> {
  readonly #sync: Iterator<T> | undefined
  readonly #async: AsyncIterator<T> | undefined
  #chain: Promise<unknown> = Promise.resolve()
  done = false
  next = 0
  /** How many items there are, when the source says (an array). */
  readonly length: number | undefined
  /** An array source, read by index: no iterator result per item. */
  readonly array: readonly T[] | undefined
  constructor(source: Source<T>) {
    this.array = Array.isArray(source) ? (source as readonly T[]) : undefined
    this.length = this.array?.length
    if (this.array !== undefined) {
      // read by index (`takeIndex`): no iterator
    } else if ((source as unknown) === null || source === undefined) {
      throw typeError('items', 'an iterable or async iterable of items', source)
    } else if (typeof (source as Iterable<T>)[Symbol.iterator] === 'function') {
      this.#sync = (source as Iterable<T>)[Symbol.iterator]()
    } else if (typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function') {
      this.#async = (source as AsyncIterable<T>)[Symbol.asyncIterator]()
    } else {
      throw typeError('items', 'an iterable or async iterable of items', source)
    }
  }

  /** For an array source: the next index, or -1 when exhausted. No allocation per item. */
  takeIndex(): number {
    const i = this.next
    if (this.done || i >= (this.length ?? 0)) {
      this.done = true
      return -1
    }
    this.next = i + 1
    return i
  }

  /**
   * For an iterable source: the next [index, item], or undefined when exhausted; sync sources
   * answer without a promise. (Array sources are read with `takeIndex`.)
   */
  pull(): [number, T] | undefined | Promise<[number, T] | undefined> {
    if (this.done) return undefined
    if (this.#sync !== undefined) {
      const r = this.#sync.next()
      if (r.done === true) {
        this.done = true
        return undefined
      }
      return [this.next++, r.value]
    }
    const it = this.#async as AsyncIterator<T>
    const p = this.#chain.then(async () => {
      if (this.done) return undefined
      const r = await it.next()
      if (r.done === true) {
        this.done = true
        return undefined
      }
      return [this.next++, r.value] as [number, T]
    })
    this.#chain = p.catch(() => undefined)
    return p
  }

  close(): void {
    if (this.done) return
    this.done = true
    try {
      this.#sync?.return?.()
    } catch {
      // closing a finished source must not mask the map's own outcome
    }
    void this.#async?.return?.()?.then(undefined, () => undefined)
  }
}

/** A job: the item, its index, and the signal of the worker running it (aborts on kill). @since 0.1.0 */
export type MapFn<T, R> = (item: T, index: number, signal: AbortSignal) => R

interface Engine<T, R> {
  readonly puller: Puller<T>
  readonly fn: MapFn<T, R>
  readonly opts: MapOptions | undefined
  stopped: boolean
  failure: { error: unknown } | undefined
  /** Called with each finished item (ok, value or error, index). */
  deliver(index: number, ok: boolean, value: unknown): void
  workers: Task<void>[]
  live: number
  onIdle(): void
  /** Back-pressure of `imap`: whether the job of `index` may start now. */
  gate: ((index: number) => boolean) | undefined
  /** Resolves once the job of `index` may start (or the map stopped). */
  park: ((index: number) => Promise<void>) | undefined
  /** Called once the map stops, so parked workers can leave. */
  onStop: (() => void) | undefined
}

/** Workers of an unbounded map over a source of unknown length. */
const UNBOUNDED_WORKERS = 1024

function newEngine<T, R>(
  puller: Puller<T>,
  fn: MapFn<T, R>,
  opts: MapOptions | undefined,
  deliver: Engine<T, R>['deliver'],
  onIdle: () => void,
): Engine<T, R> {
  return {
    puller,
    fn,
    opts,
    stopped: false,
    failure: undefined,
    workers: [],
    live: 0,
    deliver,
    onIdle,
    gate: undefined,
    park: undefined,
    onStop: undefined,
  }
}

function startWorkers<T, R>(host: MapHost, engine: Engine<T, R>, limit: number): void {
  const length = engine.puller.length
  const wanted = limit === Infinity ? (length ?? UNBOUNDED_WORKERS) : limit
  const n = Math.max(1, Math.min(wanted, length ?? wanted))
  const signal = engine.opts?.signal
  const onAbort = (): void => {
    fail(engine, abortError(signal as AbortSignal))
  }
  if (signal !== undefined) {
    if (signal.aborted) {
      engine.failure = { error: abortError(signal) }
      engine.stopped = true
      engine.onIdle()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
  }
  engine.live = n
  const onWorkerEnd = (): void => {
    if (--engine.live > 0) return
    signal?.removeEventListener('abort', onAbort)
    engine.puller.close()
    engine.onIdle()
  }
  for (let w = 0; w < n; w++) {
    const task = spawn(
      async (ctx) => {
        let release: (() => void) | undefined
        // A killed worker (its group was killed, or its caller) fails the map at once. A listener
        // rather than a check of `signal.aborted` per item: that getter costs a fifth of a map.
        const onKill = (): void => {
          if (!engine.stopped) fail(engine, killedError(ctx.signal.reason))
        }
        ctx.signal.addEventListener('abort', onKill, { once: true })
        try {
          if (host._workerSlot !== undefined) release = await host._workerSlot(ctx.signal)
          await workerLoop(engine, ctx.signal)
        } catch (err) {
          // A worker killed while waiting for a slot: the map must fail, not end short.
          fail(engine, err)
        } finally {
          ctx.signal.removeEventListener('abort', onKill)
          release?.()
        }
      },
      { name: 'map-worker' },
    )
    engine.workers.push(task)
    host._addWorker(task)
    // Counted when the task ends, not when its body does: a worker killed before its first step
    // never runs its body, and the map must still settle (with its workers gone from the group).
    task._listen(onWorkerEnd)
  }
}

/**
 * What a map rejects with when a worker is killed from outside (its group or its caller was
 * killed): the kill's reason, since the worker is internal and its name means nothing to the caller.
 */
function killedError(kill: unknown): unknown {
  if (!(kill instanceof TaskKilled))
    return kill instanceof Error ? kill : new CancelledError('the map was cancelled', kill)
  const reason = kill.reason
  return new CancelledError(
    `the map was cancelled${reason === undefined ? '' : `: ${describe(reason)}`}`,
    reason,
    { cause: kill },
  )
}

async function workerLoop<T, R>(engine: Engine<T, R>, signal: AbortSignal): Promise<void> {
  const { puller, fn } = engine
  const array = puller.array
  for (;;) {
    if (engine.stopped) return
    let index: number
    let item: T
    if (array !== undefined) {
      // The hot path of map over an array: an index, no iterator result, no promise.
      index = puller.takeIndex()
      if (index < 0) return
      item = array[index] as T
    } else {
      let next = puller.pull()
      if (isThenable(next)) next = await next
      if (next === undefined || engine.stopped) return
      ;[index, item] = next
    }
    const gate = engine.gate
    if (gate !== undefined && !gate(index)) {
      await (engine.park as (index: number) => Promise<void>)(index)
      if (engine.stopped) return
    }
    let value: unknown
    try {
      value = fn(item, index, signal)
      if (isThenable(value)) value = await value
    } catch (err) {
      const opts = engine.opts
      if (opts?.returnExceptions === true) {
        engine.deliver(index, true, err)
      } else if (opts?.onError !== undefined) {
        opts.onError(err, index)
        engine.deliver(index, true, SKIP)
      } else {
        fail(engine, err)
        return
      }
      continue
    }
    engine.deliver(index, true, value)
  }
}

function fail<T, R>(engine: Engine<T, R>, error: unknown): void {
  if (engine.failure === undefined) engine.failure = { error }
  stop(engine)
}

/** Stops the map: no new jobs, every worker cancelled. */
function stop<T, R>(engine: Engine<T, R>): void {
  engine.stopped = true
  for (const w of engine.workers) w.cancel()
  // A worker parked on back-pressure waits on a plain promise a kill cannot reach.
  engine.onStop?.()
}

/**
 * Checks what a map was given, at the call: the engine calls `fn` and reads `opts` only in its
 * workers, where a mistake would end as a rejection naming neither. Returns the source's puller.
 */
function checkMap<T>(fn: unknown, items: Source<T>, opts: MapOptions | undefined): Puller<T> {
  if (typeof fn !== 'function') throw typeError('fn', 'a function', fn)
  checkSignal(checkOptions(opts)?.signal)
  const onError: unknown = opts?.onError
  if (onError !== undefined && typeof onError !== 'function')
    throw typeError('onError', 'a function', onError)
  return new Puller(items)
}

/** Runs `fn` over every item with at most `limit` at once; results in input order. @internal */
export function mapAll<T, R>(
  host: MapHost,
  fn: MapFn<T, R>,
  items: Source<T>,
  limit: number,
  opts: MapOptions | undefined,
): Promise<Awaited<R>[]> {
  const puller = checkMap(fn, items, opts)
  return new Promise((resolve, reject) => {
    const out: unknown[] = []
    let skipped = false
    const engine = newEngine<T, R>(
      puller,
      fn,
      opts,
      (index, _ok, value) => {
        if (value === SKIP) skipped = true
        out[index] = value
      },
      () => {
        if (engine.failure !== undefined) reject(engine.failure.error)
        else resolve((skipped ? out.filter((v) => v !== SKIP) : out) as Awaited<R>[])
      },
    )
    startWorkers(host, engine, limit)
  })
}

/** A lazy `imap`: results in input order, or in completion order. @internal */
export function iterate<T, R>(
  host: MapHost,
  fn: MapFn<T, R>,
  items: Source<T>,
  limit: number,
  opts: MapOptions | undefined,
  ordered: boolean,
): AsyncIterableIterator<Awaited<R>> {
  const puller = checkMap(fn, items, opts)
  // Workers pause while this many results wait for a slow earlier one (ordered) or the consumer.
  const workers = limit === Infinity ? UNBOUNDED_WORKERS : limit
  const window = workers * HIGH
  // A parked worker wakes only once the consumer is this close, so each wake-up runs several
  // jobs: when the consumer is the bottleneck, parking per item cost more than the jobs.
  const resume = workers * LOW
  // Finished results not yet consumed. Ordered: a ring indexed by item index; a job runs only
  // while its index is below `want + window`, so every unconsumed result has its own slot.
  // Unordered: a FIFO in completion order.
  const size = 2 ** Math.ceil(Math.log2(window))
  const mask = size - 1
  const ring: unknown[] = ordered ? new Array<unknown>(size) : []
  const filled: boolean[] = ordered ? new Array<boolean>(size).fill(false) : []
  const fifo = new RingBuffer<unknown>()
  let want = 0
  let idle = false
  let wake: (() => void) | undefined
  let started = false
  // Parked workers, in pull order (which is index order): index, then resolve.
  const parked = new RingBuffer<number | (() => void)>()
  const mayRun = (index: number): boolean =>
    engine.stopped || (ordered ? index < want + window : fifo.size < window)
  const mayResume = (index: number): boolean =>
    engine.stopped || (ordered ? index < want + resume : fifo.size <= resume)
  const makeRoom = (): void => {
    while (parked.size > 0 && mayResume(parked.peekFirst() as number)) {
      parked.shift()
      ;(parked.shift() as () => void)()
    }
  }
  const poke = (): void => {
    const w = wake
    wake = undefined
    w?.()
  }
  const engine = newEngine<T, R>(
    puller,
    fn,
    opts,
    ordered
      ? (index, _ok, value) => {
          ring[index & mask] = value
          filled[index & mask] = true
          if (index === want) poke()
        }
      : (_index, _ok, value) => {
          fifo.push(value)
          poke()
        },
    () => {
      idle = true
      poke()
    },
  )
  engine.gate = mayRun
  engine.park = (index) =>
    new Promise<void>((resolve) => {
      parked.push(index)
      parked.push(resolve)
    })
  engine.onStop = makeRoom

  /** The next buffered result, or `EMPTY`; frees room for parked workers. */
  const take = (): unknown => {
    let value: unknown
    if (ordered) {
      const slot = want & mask
      if (!filled[slot]) return EMPTY
      value = ring[slot]
      ring[slot] = undefined
      filled[slot] = false
      want++
    } else {
      if (fifo.size === 0) return EMPTY
      value = fifo.shift()
    }
    if (parked.size > 0) makeRoom()
    return value
  }

  const slowNext = async (): Promise<IteratorResult<Awaited<R>>> => {
    for (;;) {
      if (engine.failure !== undefined && idle) {
        const { error } = engine.failure
        engine.failure = undefined
        throw error
      }
      const value = take()
      if (value !== EMPTY) {
        if (value === SKIP) continue
        return { done: false, value: value as Awaited<R> }
      }
      if (idle && engine.failure === undefined) {
        if (ordered && want < puller.next) {
          want++ // a hole left by a cancelled worker
          continue
        }
        return { done: true, value: undefined }
      }
      await new Promise<void>((r) => (wake = r))
    }
  }

  const it: AsyncIterableIterator<Awaited<R>> = {
    next(): Promise<IteratorResult<Awaited<R>>> {
      if (!started) {
        started = true
        startWorkers(host, engine, limit)
      }
      // The common case, a result already waiting: one settled promise, no async frame.
      if (engine.failure === undefined) {
        const value = take()
        if (value !== EMPTY && value !== SKIP)
          return Promise.resolve({ done: false, value: value as Awaited<R> })
      }
      return slowNext()
    },
    async return(): Promise<IteratorResult<Awaited<R>>> {
      if (started && !idle) {
        stop(engine)
        while (!idle) await new Promise<void>((res) => (wake = res))
      }
      puller.close()
      return { done: true, value: undefined }
    },
    [Symbol.asyncIterator]() {
      return it
    },
  }
  return it
}
