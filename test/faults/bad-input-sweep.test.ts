// Every public function and constructor, and the methods of the main classes that take arguments,
// called with bad input. Each row must throw at the call (not reject later, not when awaited), a
// TypeError or RangeError (or the documented verdant error), with a message that names the
// argument and shows the bad value, and leave nothing half-done. The last test fails when an
// export has no row, so a new public function gets one.
import { afterEach, describe, expect, it } from 'vitest'
import * as verdant from 'verdant'
import {
  type ActorContext,
  type ActorRef,
  ActorSystem,
  allTasks,
  asCompleted,
  AsyncResult,
  Backoff,
  Barrier,
  Behavior,
  behavior,
  BoundedSemaphore,
  call,
  Channel,
  Condition,
  ConsistentHash,
  consistentHash,
  consoleSink,
  debugEnabled,
  disableDebug,
  dumpTasks,
  enableDebug,
  Event,
  Future,
  gather,
  getClock,
  Group,
  groupRouter,
  InvalidStateError,
  type JobFuture,
  JoinableQueue,
  joinAll,
  killAll,
  LifoQueue,
  Lock,
  moveOnAfter,
  onShutdown,
  onUnobservedFailure,
  Pool,
  poolRouter,
  PriorityQueue,
  ProcessPoolExecutor,
  Queue,
  RealClock,
  realClock,
  receive,
  restartWithBackoff,
  run,
  Scope,
  scoped,
  Semaphore,
  SharedQueue,
  float64Records,
  shield,
  shutdownDefaultExecutor,
  sleep,
  spawn,
  spawnLater,
  type Task,
  type TaskContext,
  ThreadPoolExecutor,
  Timeout,
  toThread,
  wait,
  withTimeout,
  yieldNow,
} from 'verdant'
import * as testing from 'verdant/testing'
import * as observer from 'verdant/observer'
import { startObserver } from 'verdant/observer'
import { leakReport, TestClock, VirtualClock, withVirtualTime } from 'verdant/testing'
import * as worker from 'verdant/worker'
import { defineTask, submitFromJob, taskRef } from 'verdant/worker'
import * as tasks from '../fixtures/executor-tasks.mjs'

type ErrorClass = new (...args: never[]) => Error

interface Row {
  /** The runtime export the call belongs to (a class for its constructor and methods). */
  readonly of: string
  /** The call, as a reader would write it. */
  readonly call: string
  readonly run: (f: Fixtures) => unknown
  readonly error: ErrorClass
  /** Must name the argument or option and show its value. */
  readonly message: RegExp
  /** Read before and after the call: what a call that throws must not have changed. */
  readonly state?: ((f: Fixtures) => unknown) | undefined
  /** Fixtures that take time to make (a running task, a started actor, a finished job). */
  readonly needs?: 'ctx' | 'actor' | 'job' | undefined
}

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const echo = taskRef<typeof tasks.echo<unknown>>(url, 'echo')
const noop = (): void => undefined
const def = receive<unknown>(noop)

/** What the rows call methods on, made on first use and cleaned up after each row. */
class Fixtures {
  readonly #made = new Map<string, unknown>()
  readonly #cleanups: (() => unknown)[] = []
  #ctx: TaskContext | undefined
  #actorCtx: ActorContext<unknown> | undefined
  #job: JobFuture<unknown> | undefined

  #once<T>(key: string, make: () => T, cleanup?: (value: T) => unknown): T {
    if (this.#made.has(key)) return this.#made.get(key) as T
    const value = make()
    this.#made.set(key, value)
    if (cleanup !== undefined) this.#cleanups.push(() => cleanup(value))
    return value
  }

  /** A task that has not started yet: a kill would cancel it at once. */
  get task(): Task<void> {
    return this.#once(
      'task',
      () => spawn(async () => undefined, { name: 'fixture' }),
      (t) => t.join(),
    )
  }
  /** The context of a running task (`needs: 'ctx'`). */
  get ctx(): TaskContext {
    return this.#ctx as TaskContext
  }
  get future(): Future<number> {
    // Settled at the end: a bad callback it had taken would then be reported, and fail the test.
    return this.#once(
      'future',
      () => new Future<number>(),
      (fut) => fut.cancel(),
    )
  }
  get result(): AsyncResult<number> {
    return this.#once('result', () => new AsyncResult<number>())
  }
  get queue(): Queue<number> {
    // Holds one item and is full: a put must wait, a get may take at once.
    return this.#once('queue', () => new Queue<number>({ maxsize: 1, items: [1] }))
  }
  get channel(): Channel<number> {
    return this.#once('channel', () => new Channel<number>())
  }
  get joinable(): JoinableQueue<number> {
    return this.#once('joinable', () => new JoinableQueue<number>({ items: [1] }))
  }
  get lock(): Lock {
    return this.#once('lock', () => new Lock())
  }
  get sem(): Semaphore {
    return this.#once('sem', () => new Semaphore(2))
  }
  get event(): Event {
    return this.#once('event', () => new Event())
  }
  get cond(): Condition {
    return this.#once('cond', () => new Condition())
  }
  get barrier(): Barrier {
    return this.#once('barrier', () => new Barrier(2))
  }
  get group(): Group {
    return this.#once(
      'group',
      () => new Group(),
      (g) => g.kill(),
    )
  }
  /** A member of `group` that has not started: a kill would cancel it at once. */
  get member(): Task<void> {
    return this.#once('member', () => this.group.spawn(async () => undefined))
  }
  get pool(): Pool {
    return this.#once(
      'pool',
      () => new Pool(1),
      (p) => p.kill(),
    )
  }
  get scope(): Scope {
    return this.#once(
      'scope',
      () => new Scope(),
      (s) => s.close(),
    )
  }
  get system(): ActorSystem {
    return this.#once(
      'system',
      () => new ActorSystem({ name: 'bad-input', log: noop }),
      (s) => s.shutdown(),
    )
  }
  get ref(): ActorRef<unknown> {
    return this.#once('ref', () => this.system.spawn(def))
  }
  /** The context of a started actor (`needs: 'actor'`). */
  get actorCtx(): ActorContext<unknown> {
    return this.#actorCtx as ActorContext<unknown>
  }
  get clock(): VirtualClock {
    return this.#once(
      'clock',
      () => new VirtualClock({ autojump: false }),
      (c) => c.dispose(),
    )
  }
  get executor(): ThreadPoolExecutor {
    return this.#once(
      'executor',
      () => new ThreadPoolExecutor({ maxWorkers: 1 }),
      (e) => e.shutdown({ cancelFutures: true }),
    )
  }
  /** A finished job (`needs: 'job'`). */
  get job(): JobFuture<unknown> {
    return this.#job as JobFuture<unknown>
  }
  get shared(): SharedQueue {
    return this.#once('shared', () => SharedQueue.create({ capacity: 1, recordSize: 4 }))
  }

  async prepare(needs: Row['needs']): Promise<void> {
    if (needs === 'ctx') {
      const gate = new Event()
      const t = spawn(
        async (ctx) => {
          this.#ctx = ctx
          await ctx.call(gate.wait())
        },
        { name: 'fixture-ctx' },
      )
      this.#cleanups.push(async () => {
        gate.set()
        await t.join()
      })
      await sleep(0)
    } else if (needs === 'actor') {
      const ref = this.system.spawn(
        behavior<unknown>((ctx) => {
          this.#actorCtx = ctx
          return noop
        }),
      )
      while (this.system.inspect(ref).status === 'starting') await sleep(1)
    } else if (needs === 'job') {
      this.#job = this.executor.submit(echo, 1)
      await this.#job
    }
  }

  async dispose(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup()
    // A `toThread` row that wrongly got past its checks made the default executor.
    await shutdownDefaultExecutor()
  }
}

let open: Fixtures | undefined
afterEach(async () => {
  await open?.dispose()
  open = undefined
})

const row = (
  of: string,
  call: string,
  runIt: (f: Fixtures) => unknown,
  error: ErrorClass,
  message: RegExp,
  extra?: Pick<Row, 'state' | 'needs'>,
): Row => ({ of, call, run: runIt, error, message, ...extra })

const T = TypeError
const R = RangeError
/** A generator function standing for a good task body. */
const body = function* (): Generator<never, void> {}

const rows: readonly Row[] = [
  // ---- tasks ----
  row('spawn', 'spawn(42)', () => spawn(42 as never), T, /task function.*`42` \(number\)/),
  row('spawn', 'spawn(null)', () => spawn(null as never), T, /task function.*`null`/),
  row(
    'spawn',
    "spawn(fn, {signal: 'x'})",
    () => spawn(body, { signal: 'x' as never }),
    T,
    /`signal`.*AbortSignal.*`"x"` \(string\)/,
  ),
  row('spawn', 'spawn(fn, 5)', () => spawn(body, 5 as never), T, /`opts`.*options object.*`5` \(number\)/),
  row(
    'spawn',
    'spawn(fn, {name: 5})',
    () => spawn(body, { name: 5 as never }),
    T,
    /`name`.*string.*`5` \(number\)/,
  ),
  row('spawnLater', 'spawnLater(-1, fn)', () => spawnLater(-1, body), R, /`ms`.*milliseconds.*`-1`/),
  row('spawnLater', 'spawnLater(NaN, fn)', () => spawnLater(NaN, body), R, /`ms`.*`NaN`/),
  row('spawnLater', "spawnLater('5', fn)", () => spawnLater('5' as never, body), R, /`ms`.*`"5"` \(string\)/),
  row(
    'spawnLater',
    'spawnLater(10, undefined)',
    () => spawnLater(10, undefined as never),
    T,
    /task function.*`undefined`/,
  ),
  row(
    'Task',
    'task.kill(r, {timeout: NaN})',
    (f) => f.task.kill('r', { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.task.state,
    },
  ),
  row(
    'Task',
    "task.kill(r, {signal: 'x'})",
    (f) => f.task.kill('r', { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => f.task.state,
    },
  ),
  row('Task', 'task.kill(r, 5)', (f) => f.task.kill('r', 5 as never), T, /`opts`.*`5` \(number\)/, {
    state: (f) => f.task.state,
  }),
  row('Task', 'task.get({timeout: -1})', (f) => f.task.get({ timeout: -1 }), R, /`timeout`.*`-1`/),
  row('Task', "task.join({signal: 'x'})", (f) => f.task.join({ signal: 'x' as never }), T, /`signal`.*`"x"`/),
  row('Task', 'task.link(5)', (f) => f.task.link(5 as never), T, /`cb`.*function.*`5` \(number\)/),
  row(
    'Future',
    "future.get({timeout: '5'})",
    (f) => f.future.get({ timeout: '5' as never }),
    R,
    /`timeout`.*`"5"`/,
  ),
  row('Future', 'future.join(5)', (f) => f.future.join(5 as never), T, /`opts`.*`5`/),
  row(
    'Future',
    'future.addDoneCallback(null)',
    (f) => f.future.addDoneCallback(null as never),
    T,
    /`cb`.*`null`/,
  ),
  row('TaskContext', 'ctx.sleep(NaN)', (f) => f.ctx.sleep(NaN), R, /`ms`.*`NaN`/, { needs: 'ctx' }),
  row('TaskContext', 'ctx.timeout(-5)', (f) => f.ctx.timeout(-5), R, /`ms`.*`-5`/, { needs: 'ctx' }),
  row('TaskContext', 'ctx.call(42)', (f) => f.ctx.call(42 as never), T, /`source`.*`42` \(number\)/, {
    needs: 'ctx',
  }),
  row('TaskContext', 'ctx.join(5)', (f) => f.ctx.join(5 as never), T, /`other`.*future or task.*`5`/, {
    needs: 'ctx',
  }),
  row('TaskContext', 'ctx.get(null)', (f) => f.ctx.get(null as never), T, /`other`.*`null`/, {
    needs: 'ctx',
  }),
  row(
    'TaskContext',
    'ctx.get(future, {timeout: NaN})',
    (f) => f.ctx.get(f.future, { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      needs: 'ctx',
    },
  ),
  row('TaskContext', 'ctx.spawn(5)', (f) => f.ctx.spawn(5 as never), T, /task function.*`5`/, {
    needs: 'ctx',
    state: (f) => f.ctx.task.children().length,
  }),
  row('TaskContext', 'ctx.spawnLater(-1, fn)', (f) => f.ctx.spawnLater(-1, body), R, /`ms`.*`-1`/, {
    needs: 'ctx',
    state: (f) => f.ctx.task.children().length,
  }),
  row('call', 'call(42)', () => call(42 as never), T, /`source`.*promise.*`42` \(number\)/),
  row('call', 'call(undefined)', () => call(undefined as never), T, /`source`.*`undefined`/),
  row('joinAll', 'joinAll(null)', () => joinAll(null as never), T, /`futures`.*`null` \(null\)/),
  row(
    'joinAll',
    "joinAll([f], {signal: 'x'})",
    (f) => joinAll([f.future], { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('joinAll', 'joinAll([f], {count: -1})', (f) => joinAll([f.future], { count: -1 }), R, /`count`.*`-1`/),
  row('joinAll', 'joinAll([f], 5)', (f) => joinAll([f.future], 5 as never), T, /`opts`.*`5`/),
  row(
    'killAll',
    'killAll([task], {timeout: NaN})',
    (f) => killAll([f.task], { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.task.state,
    },
  ),
  row(
    'killAll',
    'killAll([task], {signal: 5})',
    (f) => killAll([f.task], { signal: 5 as never }),
    T,
    /`signal`.*`5`/,
    {
      state: (f) => f.task.state,
    },
  ),
  row('killAll', "killAll([task, 'x'])", (f) => killAll([f.task, 'x'] as never), T, /`tasks\[1\]`.*`"x"`/, {
    state: (f) => f.task.state,
  }),
  row('wait', 'wait(null)', () => wait(null as never), T, /`futures`.*`null`/),
  row('wait', 'wait([])', () => wait([]), R, /`futures` is empty/),
  row(
    'wait',
    "wait([f], {returnWhen: 'x'})",
    (f) => wait([f.future], { returnWhen: 'x' as never }),
    R,
    /`returnWhen`.*`"x"`/,
  ),
  row('wait', 'wait([f], {timeout: -1})', (f) => wait([f.future], { timeout: -1 }), R, /`timeout`.*`-1`/),
  row(
    'wait',
    "wait([f], {signal: 'x'})",
    (f) => wait([f.future], { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('asCompleted', 'asCompleted(5)', () => asCompleted(5 as never), T, /`futures`.*`5` \(number\)/),
  row(
    'asCompleted',
    'asCompleted([f], {timeout: NaN})',
    (f) => asCompleted([f.future], { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
  ),
  row('asCompleted', 'asCompleted([f], 5)', (f) => asCompleted([f.future], 5 as never), T, /`opts`.*`5`/),
  row('gather', 'gather(null)', () => gather(null as never), T, /`items`.*array.*`null`/),
  row('gather', 'gather([], 5)', () => gather([], 5 as never), T, /`opts`.*`5`/),
  row('shield', 'shield(5)', () => shield(5 as never), T, /`inner`.*future or task.*`5`/),
  row(
    'onUnobservedFailure',
    'onUnobservedFailure(5)',
    () => onUnobservedFailure(5 as never),
    T,
    /`listener`.*function.*`5`/,
  ),
  row('run', 'run(5)', () => run(5 as never), T, /`main`.*function.*`5`/),
  row(
    'run',
    'run(fn, {gracePeriodMs: -1})',
    () => run(body, { gracePeriodMs: -1 }),
    R,
    /`gracePeriodMs`.*`-1`/,
  ),
  row(
    'run',
    "run(fn, {signals: 'SIGINT'})",
    () => run(body, { signals: 'SIGINT' as never }),
    T,
    /`signals`.*`"SIGINT"` \(string\)/,
  ),
  row(
    'run',
    "run(fn, {signals: ['SIGNOPE']})",
    () => run(body, { signals: ['SIGNOPE' as never] }),
    T,
    /`signals\[0\]`.*`"SIGNOPE"`/,
    {
      state: () => process.listenerCount('SIGINT'),
    },
  ),
  row(
    'run',
    'run(fn, {debug: true, gracePeriodMs: NaN})',
    () => run(body, { debug: true, gracePeriodMs: NaN }),
    R,
    /`gracePeriodMs`.*`NaN`/,
    {
      state: () => debugEnabled(),
    },
  ),
  row('run', 'run(fn, {name: 5})', () => run(body, { name: 5 as never }), T, /`name`.*`5`/),
  row('Scope', 'new Scope({signal: 5})', () => new Scope({ signal: 5 as never }), T, /`signal`.*`5`/),
  row('Scope', 'new Scope(5)', () => new Scope(5 as never), T, /`opts`.*`5`/),
  row('Scope', "scope.spawn('x')", (f) => f.scope.spawn('x' as never), T, /task function.*`"x"`/, {
    state: (f) => f.scope.task.children().length,
  }),
  row('scoped', 'scoped(5)', () => scoped(5 as never), T, /task function.*`5`/),
  row(
    'scoped',
    "scoped(fn, {signal: 'x'})",
    () => scoped(body, { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('scoped', 'scoped(fn, 5)', () => scoped(body, 5 as never), T, /`opts`.*`5`/),
  row(
    'enableDebug',
    'enableDebug({slowStepMs: -1})',
    () => enableDebug({ slowStepMs: -1 }),
    R,
    /`slowStepMs`.*`-1`/,
    {
      state: () => debugEnabled(),
    },
  ),
  row(
    'enableDebug',
    'enableDebug({log: 5})',
    () => enableDebug({ log: 5 as never }),
    T,
    /`log`.*function.*`5`/,
    {
      state: () => debugEnabled(),
    },
  ),
  row('enableDebug', 'enableDebug(5)', () => enableDebug(5 as never), T, /`opts`.*`5`/, {
    state: () => debugEnabled(),
  }),
  row('dumpTasks', 'dumpTasks(5)', () => dumpTasks(5 as never), T, /`tasks`.*`5`/),
  row('dumpTasks', 'dumpTasks([5])', () => dumpTasks([5] as never), T, /`tasks\[0\]`.*task.*`5`/),

  // ---- time ----
  row('sleep', 'sleep(-1)', () => sleep(-1), R, /`ms`.*`-1`/),
  row('sleep', 'sleep(NaN)', () => sleep(NaN), R, /`ms`.*`NaN`/),
  row('sleep', "sleep('5')", () => sleep('5' as never), R, /`ms`.*`"5"` \(string\)/),
  row('sleep', "sleep(1, {signal: 'x'})", () => sleep(1, { signal: 'x' as never }), T, /`signal`.*`"x"`/),
  row('sleep', 'sleep(1, 5)', () => sleep(1, 5 as never), T, /`opts`.*`5`/),
  row('yieldNow', 'yieldNow({signal: 5})', () => yieldNow({ signal: 5 as never }), T, /`signal`.*`5`/),
  row('yieldNow', "yieldNow('x')", () => yieldNow('x' as never), T, /`opts`.*`"x"`/),
  row('Timeout', 'new Timeout(-1)', () => new Timeout(-1), R, /`ms`.*`-1`/),
  row('Timeout', 'new Timeout(NaN)', () => new Timeout(NaN), R, /`ms`.*`NaN`/),
  row('Timeout', 'new Timeout(10, 5)', () => new Timeout(10, 5 as never), T, /`opts`.*`5`/),
  row('Timeout', 'new Timeout(10).start(5)', () => new Timeout(10).start(5 as never), T, /`task`.*`5`/),
  row('Timeout', 'Timeout.startNew(NaN)', () => Timeout.startNew(NaN), R, /`ms`.*`NaN`/),
  row('withTimeout', 'withTimeout(-1, fn)', () => withTimeout(-1, noop), R, /`ms`.*`-1`/),
  row('withTimeout', 'withTimeout(10, 5)', () => withTimeout(10, 5 as never), T, /`fn`.*function.*`5`/),
  row(
    'withTimeout',
    "withTimeout(10, fn, {signal: 'x'})",
    () => withTimeout(10, noop, { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('withTimeout', 'withTimeout(10, fn, 5)', () => withTimeout(10, noop, 5 as never), T, /`opts`.*`5`/),
  row('moveOnAfter', 'moveOnAfter(NaN, fn)', () => moveOnAfter(NaN, noop), R, /`ms`.*`NaN`/),
  row('moveOnAfter', 'moveOnAfter(10, null)', () => moveOnAfter(10, null as never), T, /`fn`.*`null`/),
  row(
    'RealClock',
    'new RealClock().setTimer(NaN, fn)',
    () => new RealClock().setTimer(NaN, noop),
    R,
    /`ms`.*`NaN`/,
  ),
  row('RealClock', 'realClock.setTimer(-1, fn)', () => realClock.setTimer(-1, noop), R, /`ms`.*`-1`/),
  row(
    'RealClock',
    'realClock.setTimer(10, 5)',
    () => realClock.setTimer(10, 5 as never),
    T,
    /`callback`.*function.*`5`/,
  ),

  // ---- sync ----
  row(
    'AsyncResult',
    'result.wait({timeout: NaN})',
    (f) => f.result.wait({ timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
  ),
  row(
    'AsyncResult',
    "result.get({signal: 'x'})",
    (f) => f.result.get({ signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('Barrier', 'new Barrier(0)', () => new Barrier(0), R, /`parties`.*`0`/),
  row('Barrier', 'new Barrier(1.5)', () => new Barrier(1.5), R, /`parties`.*`1\.5`/),
  row(
    'Barrier',
    'barrier.wait({timeout: -1})',
    (f) => f.barrier.wait({ timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
    {
      state: (f) => [f.barrier.waiting, f.barrier.broken],
    },
  ),
  row('Condition', 'new Condition(5)', () => new Condition(5 as never), T, /`lock`.*Lock.*`5`/),
  row('Condition', 'cond.wait({timeout: NaN})', (f) => f.cond.wait({ timeout: NaN }), R, /`timeout`.*`NaN`/),
  row('Condition', 'cond.waitFor(5)', (f) => f.cond.waitFor(5 as never), T, /`predicate`.*function.*`5`/),
  row(
    'Condition',
    'cond.waitFor(fn, {timeout: -1})',
    (f) => f.cond.waitFor(() => true, { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
  ),
  row('Condition', 'cond.notify(-1)', (f) => f.cond.notify(-1), R, /`n`.*`-1`/),
  row('Condition', "cond.notify('all')", (f) => f.cond.notify('all' as never), R, /`n`.*`"all"`/),
  row(
    'Condition',
    'cond.acquire({timeout: NaN})',
    (f) => f.cond.acquire({ timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.cond.locked,
    },
  ),
  row('Event', 'event.wait({timeout: NaN})', (f) => f.event.wait({ timeout: NaN }), R, /`timeout`.*`NaN`/),
  row('Event', 'event.wait({signal: 5})', (f) => f.event.wait({ signal: 5 as never }), T, /`signal`.*`5`/),
  row('Event', 'event.wait(5)', (f) => f.event.wait(5 as never), T, /`opts`.*`5`/),
  row('Lock', 'lock.acquire({timeout: -1})', (f) => f.lock.acquire({ timeout: -1 }), R, /`timeout`.*`-1`/, {
    state: (f) => f.lock.locked,
  }),
  row('Lock', 'lock.run(5)', (f) => f.lock.run(5 as never), T, /`fn`.*function.*`5`/, {
    state: (f) => f.lock.locked,
  }),
  row(
    'Lock',
    'lock.run(fn, {timeout: NaN})',
    (f) => f.lock.run(noop, { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.lock.locked,
    },
  ),
  row('Semaphore', 'new Semaphore(-1)', () => new Semaphore(-1), R, /`value`.*`-1`/),
  row('Semaphore', "new Semaphore('2')", () => new Semaphore('2' as never), R, /`value`.*`"2"`/),
  row(
    'Semaphore',
    "sem.acquire({signal: 'x'})",
    (f) => f.sem.acquire({ signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => f.sem.value,
    },
  ),
  row('Semaphore', 'sem.run(null)', (f) => f.sem.run(null as never), T, /`fn`.*`null`/, {
    state: (f) => f.sem.value,
  }),
  row('BoundedSemaphore', 'new BoundedSemaphore(1.5)', () => new BoundedSemaphore(1.5), R, /`value`.*`1\.5`/),

  // ---- queues ----
  row('Queue', 'new Queue({maxsize: 0})', () => new Queue({ maxsize: 0 }), R, /`maxsize`.*`0`.*Channel/),
  row('Queue', 'new Queue({items: 5})', () => new Queue({ items: 5 as never }), T, /`items`.*`5` \(number\)/),
  row('Queue', 'new Queue(5)', () => new Queue(5 as never), T, /`opts`.*`5`/),
  row('Queue', 'new Queue({name: 5})', () => new Queue({ name: 5 as never }), T, /`name`.*`5` \(number\)/),
  row(
    'Queue',
    'queue.put(2, {timeout: NaN})',
    (f) => f.queue.put(2, { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.queue.stats(),
    },
  ),
  row('Queue', 'queue.put(2, 5)', (f) => f.queue.put(2, 5 as never), T, /`opts`.*`5`/, {
    state: (f) => f.queue.stats(),
  }),
  row('Queue', 'queue.get({timeout: -1})', (f) => f.queue.get({ timeout: -1 }), R, /`timeout`.*`-1`/, {
    state: (f) => f.queue.stats(),
  }),
  row(
    'Queue',
    "queue.get({signal: 'x'})",
    (f) => f.queue.get({ signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => f.queue.stats(),
    },
  ),
  row(
    'Queue',
    'queue.iterate({signal: 5})',
    (f) => f.queue.iterate({ signal: 5 as never }),
    T,
    /`signal`.*`5`/,
    {
      state: (f) => f.queue.stats(),
    },
  ),
  row('Queue', 'queue.iterate(5)', (f) => f.queue.iterate(5 as never), T, /`opts`.*`5`/),
  row(
    'LifoQueue',
    'new LifoQueue({items: {}})',
    () => new LifoQueue({ items: {} as never }),
    T,
    /`items`.*`\[object Object\]`/,
  ),
  row(
    'LifoQueue',
    'new LifoQueue({maxsize: -1})',
    () => new LifoQueue({ maxsize: -1 }),
    R,
    /`maxsize`.*`-1`/,
  ),
  row(
    'PriorityQueue',
    "new PriorityQueue({compare: 'x'})",
    () => new PriorityQueue({ compare: 'x' as never }),
    T,
    /`compare`.*`"x"`/,
  ),
  row(
    'PriorityQueue',
    'new PriorityQueue({maxsize: 1.5})',
    () => new PriorityQueue({ maxsize: 1.5 }),
    R,
    /`maxsize`.*`1\.5`/,
  ),
  row(
    'JoinableQueue',
    'new JoinableQueue({items: 7})',
    () => new JoinableQueue({ items: 7 as never }),
    T,
    /`items`.*`7`/,
  ),
  row(
    'JoinableQueue',
    'joinable.join({timeout: NaN})',
    (f) => f.joinable.join({ timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.joinable.unfinishedTasks,
    },
  ),
  row(
    'Channel',
    'new Channel({items: true})',
    () => new Channel({ items: true as never }),
    T,
    /`items`.*`true`/,
  ),
  row(
    'Channel',
    'channel.put(1, {timeout: -1})',
    (f) => f.channel.put(1, { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
    {
      state: (f) => f.channel.stats(),
    },
  ),

  // ---- groups and pools ----
  row('Group', 'group.spawn(5)', (f) => f.group.spawn(5 as never), T, /task function.*`5`/, {
    state: (f) => [f.group.size, f.group.stats()],
  }),
  row(
    'Group',
    'group.spawn(fn, {timeout: -1})',
    (f) => f.group.spawn(body, { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
    {
      state: (f) => [f.group.size, f.group.stats()],
    },
  ),
  row(
    'Group',
    "group.spawn(fn, {signal: 'x'})",
    (f) => f.group.spawn(body, { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => [f.group.size, f.group.stats()],
    },
  ),
  row('Group', 'group.spawn(fn, 5)', (f) => f.group.spawn(body, 5 as never), T, /`opts`.*`5`/, {
    state: (f) => [f.group.size, f.group.stats()],
  }),
  row('Group', 'group.add(5)', (f) => f.group.add(5 as never), T, /`task`.*`5`/, {
    state: (f) => f.group.size,
  }),
  row('Group', 'group.join({timeout: NaN})', (f) => f.group.join({ timeout: NaN }), R, /`timeout`.*`NaN`/),
  row(
    'Group',
    "group.join({signal: 'x'})",
    (f) => f.group.join({ signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('Group', 'group.kill({timeout: NaN})', (f) => f.group.kill({ timeout: NaN }), R, /`timeout`.*`NaN`/, {
    state: (f) => f.member.state,
  }),
  row('Group', 'group.killOne(5)', (f) => f.group.killOne(5 as never), T, /`task`.*`5`/),
  row(
    'Group',
    'group.killOne(member, {timeout: -1})',
    (f) => f.group.killOne(f.member, { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
    {
      state: (f) => f.member.state,
    },
  ),
  row('Group', 'group.apply(5)', (f) => f.group.apply(5 as never), T, /`fn`.*`5`/, {
    state: (f) => f.group.stats(),
  }),
  row('Group', 'group.apply(fn, 5)', (f) => f.group.apply(noop, 5 as never), T, /`args`.*`5`/, {
    state: (f) => f.group.stats(),
  }),
  row('Group', 'group.map(5, [1])', (f) => f.group.map(5 as never, [1]), T, /`fn`.*`5`/, {
    state: (f) => f.group.size,
  }),
  row('Group', 'group.map(fn, 5)', (f) => f.group.map(noop, 5 as never), T, /`items`.*`5`/, {
    state: (f) => f.group.size,
  }),
  row('Group', 'group.map(fn, null)', (f) => f.group.map(noop, null as never), T, /`items`.*`null`/),
  row(
    'Group',
    "group.map(fn, [1], {signal: 'x'})",
    (f) => f.group.map(noop, [1], { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => f.group.size,
    },
  ),
  row(
    'Group',
    'group.map(fn, [1], {onError: 5})',
    (f) => f.group.map(noop, [1], { onError: 5 as never }),
    T,
    /`onError`.*`5`/,
  ),
  row('Group', 'group.map(fn, [1], 5)', (f) => f.group.map(noop, [1], 5 as never), T, /`opts`.*`5`/),
  row('Group', 'group.imap(fn, 5)', (f) => f.group.imap(noop, 5 as never), T, /`items`.*`5`/),
  row(
    'Group',
    "group.imapUnordered('x', [])",
    (f) => f.group.imapUnordered('x' as never, []),
    T,
    /`fn`.*`"x"`/,
  ),
  row('Group', 'group.subscribe(5)', (f) => f.group.subscribe(5 as never), T, /`listener`.*`5`/),
  row(
    'Group',
    'group.events({signal: 5})',
    (f) => f.group.events({ signal: 5 as never }),
    T,
    /`signal`.*`5`/,
  ),
  row('Pool', 'new Pool(0)', () => new Pool(0), R, /`size`.*`0`/),
  row('Pool', 'new Pool(null)', () => new Pool(null as never), T, /`size`.*`null`/),
  row('Pool', "new Pool({size: 1, name: ''})", () => new Pool({ size: 1, name: '' }), T, /`name`.*`""`/),
  row('Pool', "new Pool('4')", () => new Pool('4' as never), T, /`size`.*`"4"`/),
  row(
    'Pool',
    'new Pool({size: 2, rateLimit: 5})',
    () => new Pool({ size: 2, rateLimit: 5 as never }),
    T,
    /`rateLimit`.*`5`/,
  ),
  row(
    'Pool',
    'new Pool({size: 2, rateLimit: {limit: 0, ...}})',
    () => new Pool({ size: 2, rateLimit: { limit: 0, intervalMs: 10 } }),
    R,
    /`rateLimit\.limit`.*`0`/,
  ),
  row(
    'Pool',
    'pool.spawn(fn, {priority: NaN})',
    (f) => f.pool.spawn(body, { priority: NaN }),
    R,
    /`priority`.*`NaN`/,
    {
      state: (f) => [f.pool.size, f.pool.stats()],
    },
  ),
  row('Pool', 'pool.spawn(5)', (f) => f.pool.spawn(5 as never), T, /task function.*`5`/, {
    state: (f) => [f.pool.size, f.pool.stats()],
  }),
  row(
    'Pool',
    'pool.spawn(fn, {timeout: -1})',
    (f) => f.pool.spawn(body, { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
    {
      state: (f) => [f.pool.size, f.pool.stats()],
    },
  ),
  row(
    'Pool',
    "pool.spawn(fn, {signal: 'x'})",
    (f) => f.pool.spawn(body, { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      state: (f) => [f.pool.size, f.pool.stats()],
    },
  ),
  row(
    'Pool',
    'pool.waitAvailable({timeout: NaN})',
    (f) => f.pool.waitAvailable({ timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
  ),
  row('Pool', 'pool.onIdle({signal: 5})', (f) => f.pool.onIdle({ signal: 5 as never }), T, /`signal`.*`5`/),
  row('Pool', 'pool.onEmpty({timeout: -1})', (f) => f.pool.onEmpty({ timeout: -1 }), R, /`timeout`.*`-1`/),
  row('Pool', 'pool.map(5, [1])', (f) => f.pool.map(5 as never, [1]), T, /`fn`.*`5`/, {
    state: (f) => f.pool.stats(),
  }),
  row('Pool', 'pool.imap(fn, null)', (f) => f.pool.imap(noop, null as never), T, /`items`.*`null`/, {
    state: (f) => f.pool.stats(),
  }),

  // ---- actors ----
  row('ActorSystem', "new ActorSystem('app')", () => new ActorSystem('app' as never), T, /`opts`.*`"app"`/),
  row(
    'ActorSystem',
    'new ActorSystem({name: 5})',
    () => new ActorSystem({ name: 5 as never }),
    T,
    /`name`.*`5`/,
  ),
  row(
    'ActorSystem',
    "new ActorSystem({logLevel: 'loud'})",
    () => new ActorSystem({ logLevel: 'loud' as never }),
    T,
    /`logLevel`.*"loud"/,
  ),
  row(
    'ActorSystem',
    'new ActorSystem({stopTimeoutMs: -1})',
    () => new ActorSystem({ stopTimeoutMs: -1 }),
    R,
    /`stopTimeoutMs`.*`-1`/,
  ),
  row(
    'ActorSystem',
    "new ActorSystem({onEscalation: 'x'})",
    () => new ActorSystem({ onEscalation: 'x' as never }),
    T,
    /`onEscalation`.*"x"/,
  ),
  row('ActorSystem', 'new ActorSystem({log: 5})', () => new ActorSystem({ log: 5 as never }), T, /`log`.*5/),
  row('ActorSystem', 'system.spawn(5)', (f) => f.system.spawn(5 as never), T, /`def`.*`5`/),
  row(
    'ActorSystem',
    "system.spawn(def, {name: 'a/b'})",
    (f) => f.system.spawn(def, { name: 'a/b' }),
    T,
    /actor name.*"a\/b"/,
    {
      state: (f) => f.system.lookup('a/b'),
    },
  ),
  row('ActorSystem', 'system.spawn(def, 5)', (f) => f.system.spawn(def, 5 as never), T, /`opts`.*`5`/),
  row(
    'ActorSystem',
    "system.spawn(def, {name: 'x', mailbox: {capacity: 0}})",
    (f) => f.system.spawn(def, { name: 'x', mailbox: { capacity: 0 } }),
    R,
    /`capacity`.*`0`/,
    {
      state: (f) => f.system.lookup('x'),
    },
  ),
  row(
    'ActorSystem',
    'system.spawn(def, {mailbox: 5})',
    (f) => f.system.spawn(def, { mailbox: 5 as never }),
    T,
    /`mailbox`.*`5`/,
  ),
  row(
    'ActorSystem',
    "system.spawn(def, {mailbox: {capacity: 2, overflow: 'x'}})",
    (f) => f.system.spawn(def, { mailbox: { capacity: 2, overflow: 'x' as never } }),
    T,
    /`overflow`.*"x"/,
  ),
  row(
    'ActorSystem',
    'system.spawn(def, {mailbox: {priority: 5}})',
    (f) => f.system.spawn(def, { mailbox: { priority: 5 as never } }),
    T,
    /`priority`.*`5`/,
  ),
  row(
    'ActorSystem',
    "system.spawn(def, {name: 'x', restart: 'sometimes'})",
    (f) => f.system.spawn(def, { name: 'x', restart: 'sometimes' as never }),
    T,
    /`restart`.*"sometimes"/,
    {
      state: (f) => f.system.lookup('x'),
    },
  ),
  row(
    'ActorSystem',
    "system.spawn(def, {supervisor: {strategy: 'x'}})",
    (f) => f.system.spawn(def, { supervisor: { strategy: 'x' as never } }),
    T,
    /`supervisor\.strategy`.*"x"/,
  ),
  row(
    'ActorSystem',
    'system.spawn(def, {supervision: {withinMs: -1}})',
    (f) => f.system.spawn(def, { supervision: { withinMs: -1 } }),
    R,
    /`supervision\.withinMs`.*`-1`/,
  ),
  row('ActorSystem', 'system.stop(5)', (f) => f.system.stop(5 as never), T, /`ref`.*actor ref.*`5`/),
  row('ActorSystem', 'system.lookup(5)', (f) => f.system.lookup(5 as never), T, /`path`.*string.*`5`/),
  row('ActorSystem', 'system.inspect(null)', (f) => f.system.inspect(null as never), T, /`ref`.*`null`/),
  row(
    'ActorSystem',
    'system.shutdown({timeoutMs: NaN})',
    (f) => f.system.shutdown({ timeoutMs: NaN }),
    R,
    /`timeoutMs`.*`NaN`/,
  ),
  row('ActorSystem', 'system.shutdown(5)', (f) => f.system.shutdown(5 as never), T, /`opts`.*`5`/),
  row('ActorSystem', 'ref.ask(5)', (f) => f.ref.ask(5 as never), T, /`factory`.*function.*`5`/),
  row(
    'ActorSystem',
    'ref.ask(fn, {timeout: NaN})',
    (f) => f.ref.ask(() => 1, { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.system.inspect(f.ref).mailboxSize,
    },
  ),
  row(
    'ActorSystem',
    "ref.ask(fn, {signal: 'x'})",
    (f) => f.ref.ask(() => 1, { signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
  ),
  row('ActorSystem', 'ctx.spawn(5)', (f) => f.actorCtx.spawn(5 as never), T, /`def`.*`5`/, {
    needs: 'actor',
    state: (f) => f.actorCtx.children().length,
  }),
  row('ActorSystem', 'ctx.watch(5)', (f) => f.actorCtx.watch(5 as never), T, /`ref`.*`5`/, {
    needs: 'actor',
  }),
  row('ActorSystem', 'ctx.stop(5)', (f) => f.actorCtx.stop(5 as never), T, /`ref`.*`5`/, { needs: 'actor' }),
  row('ActorSystem', "ctx.become('x')", (f) => f.actorCtx.become('x' as never), T, /`next`.*`"x"`/, {
    needs: 'actor',
  }),
  row(
    'TimerScheduler',
    "ctx.timers.startSingleTimer('k', m, NaN)",
    (f) => f.actorCtx.timers.startSingleTimer('k', 'm', NaN),
    R,
    /`delayMs`.*`NaN`/,
    {
      needs: 'actor',
      state: (f) => f.actorCtx.timers.isTimerActive('k'),
    },
  ),
  row(
    'TimerScheduler',
    "ctx.timers.startPeriodicTimer('k', m, 0)",
    (f) => f.actorCtx.timers.startPeriodicTimer('k', 'm', 0),
    R,
    /`intervalMs`.*`0`/,
    {
      needs: 'actor',
      state: (f) => f.actorCtx.timers.isTimerActive('k'),
    },
  ),
  row(
    'DeadLetters',
    'system.deadLetters.subscribe(5)',
    (f) => f.system.deadLetters.subscribe(5 as never),
    T,
    /`listener`.*`5`/,
  ),
  row('Behavior', 'new Behavior(5)', () => new Behavior(5 as never), T, /`setup`.*`5`/),
  row('behavior', 'behavior(5)', () => behavior(5 as never), T, /`setup`.*`5`/),
  row('receive', "receive('x')", () => receive('x' as never), T, /`handler`.*`"x"`/),
  row('consoleSink', 'consoleSink(null)', () => consoleSink(null as never), T, /`record`.*`null`/),
  row('consistentHash', 'consistentHash(5)', () => consistentHash(5 as never), T, /`key`.*`5`/),
  row(
    'consistentHash',
    'consistentHash(fn, {virtualNodes: 0})',
    () => consistentHash(noop as never, { virtualNodes: 0 }),
    R,
    /`virtualNodes`.*`0`/,
  ),
  row(
    'consistentHash',
    'consistentHash(fn, 5)',
    () => consistentHash(noop as never, 5 as never),
    T,
    /`opts`.*`5`/,
  ),
  row(
    'ConsistentHash',
    "new ConsistentHash(fn, 'x')",
    () => new ConsistentHash(noop as never, 'x' as never),
    R,
    /`virtualNodes`.*`"x"`/,
  ),
  row('poolRouter', 'poolRouter(0, def)', () => poolRouter(0, def), R, /`size`.*`0`/),
  row('poolRouter', 'poolRouter(2, 5)', () => poolRouter(2, 5 as never), T, /`def`.*`5`/),
  row(
    'poolRouter',
    "poolRouter(2, def, {routing: 'x'})",
    () => poolRouter(2, def, { routing: 'x' as never }),
    T,
    /`routing`.*"x"/,
  ),
  row(
    'poolRouter',
    'poolRouter(2, def, {mailbox: {capacity: 0}})',
    () => poolRouter(2, def, { mailbox: { capacity: 0 } }),
    R,
    /`capacity`.*`0`/,
  ),
  row(
    'poolRouter',
    "poolRouter(2, def, {restart: 'x'})",
    () => poolRouter(2, def, { restart: 'x' as never }),
    T,
    /`restart`.*"x"/,
  ),
  row('groupRouter', 'groupRouter(5)', () => groupRouter(5 as never), T, /`routees`.*`5`/),
  row(
    'groupRouter',
    'groupRouter([5])',
    () => groupRouter([5] as never),
    T,
    /`routees\[0\]`.*actor ref.*`5`/,
  ),
  row(
    'groupRouter',
    'groupRouter([], {routing: 5})',
    () => groupRouter([], { routing: 5 as never }),
    T,
    /`routing`.*5/,
  ),
  row('Backoff', 'new Backoff(null)', () => new Backoff(null as never), T, /`opts`.*`null`/),
  row(
    'Backoff',
    'new Backoff({minMs: -1, maxMs: 1})',
    () => new Backoff({ minMs: -1, maxMs: 1 }),
    R,
    /`minMs`.*`-1`/,
  ),
  row(
    'restartWithBackoff',
    'restartWithBackoff({minMs: 10, maxMs: 5})',
    () => restartWithBackoff({ minMs: 10, maxMs: 5 }),
    R,
    /`maxMs`.*`minMs`.*5 < 10/,
  ),
  row(
    'restartWithBackoff',
    'restartWithBackoff({..., randomFactor: -1})',
    () => restartWithBackoff({ minMs: 1, maxMs: 2, randomFactor: -1 }),
    R,
    /`randomFactor`.*-1/,
  ),
  row(
    'restartWithBackoff',
    'restartWithBackoff(undefined)',
    () => restartWithBackoff(undefined as never),
    T,
    /`opts`.*`undefined`/,
  ),

  // ---- executors ----
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor(5)',
    () => new ThreadPoolExecutor(5 as never),
    T,
    /options.*5/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({maxWorkers: 0})',
    () => new ThreadPoolExecutor({ maxWorkers: 0 }),
    R,
    /`maxWorkers`.*`0`/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({minWorkers: 2, maxWorkers: 1})',
    () => new ThreadPoolExecutor({ minWorkers: 2, maxWorkers: 1 }),
    R,
    /minWorkers.*2/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({idleTimeoutMs: NaN})',
    () => new ThreadPoolExecutor({ idleTimeoutMs: NaN }),
    R,
    /`idleTimeoutMs`.*`NaN`/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({killAfterMs: -1})',
    () => new ThreadPoolExecutor({ killAfterMs: -1 }),
    R,
    /`killAfterMs`.*`-1`/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({maxTasksPerWorker: 0})',
    () => new ThreadPoolExecutor({ maxTasksPerWorker: 0 }),
    R,
    /`maxTasksPerWorker`.*`0`/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({initializer: 5})',
    () => new ThreadPoolExecutor({ initializer: 5 as never }),
    T,
    /initializer.*5/,
  ),
  row(
    'ThreadPoolExecutor',
    "new ThreadPoolExecutor({execArgv: '--x'})",
    () => new ThreadPoolExecutor({ execArgv: '--x' as never }),
    T,
    /execArgv.*"--x"/,
  ),
  row(
    'ProcessPoolExecutor',
    'new ProcessPoolExecutor(5)',
    () => new ProcessPoolExecutor(5 as never),
    T,
    /options.*5/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor(null)',
    () => new ThreadPoolExecutor(null as never),
    T,
    /options.*null/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({initArgs: 5})',
    () => new ThreadPoolExecutor({ initArgs: 5 as never }),
    T,
    /`initArgs`.*5/,
  ),
  row(
    'ThreadPoolExecutor',
    'new ThreadPoolExecutor({name: 5})',
    () => new ThreadPoolExecutor({ name: 5 as never }),
    T,
    /`name`.*5/,
  ),
  row(
    'ThreadPoolExecutor',
    "new ThreadPoolExecutor({resourceLimits: 'big'})",
    () => new ThreadPoolExecutor({ resourceLimits: 'big' as never }),
    T,
    /`resourceLimits`.*"big"/,
  ),
  row(
    'ProcessPoolExecutor',
    'new ProcessPoolExecutor(null)',
    () => new ProcessPoolExecutor(null as never),
    T,
    /options.*null/,
  ),
  row(
    'ProcessPoolExecutor',
    'new ProcessPoolExecutor({env: 5})',
    () => new ProcessPoolExecutor({ env: 5 as never }),
    T,
    /`env`.*5/,
  ),
  row(
    'Executor',
    'executor.shutdown(null)',
    (f) => f.executor.shutdown(null as never),
    T,
    /shutdown\(\) options.*null/,
    {
      state: (f) => f.executor.isShutDown,
    },
  ),
  row(
    'Executor',
    "executor.shutdown({cancelFutures: 'yes'})",
    (f) => f.executor.shutdown({ cancelFutures: 'yes' as never }),
    T,
    /`cancelFutures`.*"yes"/,
    {
      state: (f) => f.executor.isShutDown,
    },
  ),
  row(
    'ProcessPoolExecutor',
    'new ProcessPoolExecutor({maxWorkers: -1})',
    () => new ProcessPoolExecutor({ maxWorkers: -1 }),
    R,
    /`maxWorkers`.*`-1`/,
  ),
  row(
    'Executor',
    'executor.submit(5)',
    (f) => f.executor.submit(5 as never),
    T,
    /submit\(\).*task reference.*5/,
    {
      state: (f) => f.executor.stats().queued,
    },
  ),
  row(
    'Executor',
    'executor.submit({timeout: NaN}, ref)',
    (f) => f.executor.submit({ timeout: NaN }, echo, 1),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.executor.stats().queued,
    },
  ),
  row(
    'Executor',
    "executor.submit({signal: 'x'}, ref)",
    (f) => f.executor.submit({ signal: 'x' as never }, echo, 1),
    T,
    /`signal`.*"x"/,
  ),
  row(
    'Executor',
    'executor.submit({transfer: 5}, ref)',
    (f) => f.executor.submit({ transfer: 5 as never }, echo, 1),
    T,
    /`transfer`.*5/,
  ),
  row(
    'Executor',
    'executor.submit({retries: -1}, ref)',
    (f) => f.executor.submit({ retries: -1 }, echo, 1),
    R,
    /`retries`.*`-1`/,
  ),
  row(
    'Executor',
    'executor.submitWith(ref, 5)',
    (f) => f.executor.submitWith(echo, 5 as never, undefined),
    T,
    /arguments.*5/,
  ),
  row(
    'Executor',
    'executor.submitWith(ref, [1], 5)',
    (f) => f.executor.submitWith(echo, [1], 5 as never),
    T,
    /options.*5/,
  ),
  row(
    'Executor',
    'executor.map(5, [1])',
    (f) => f.executor.map(5 as never, [1]),
    T,
    /map\(\).*task reference.*5/,
  ),
  row('Executor', 'executor.map(ref, 5)', (f) => f.executor.map(echo, 5 as never), T, /map\(\).*iterable.*5/),
  row(
    'Executor',
    'executor.map(ref, [1], {chunksize: 0})',
    (f) => f.executor.map(echo, [1], { chunksize: 0 }),
    R,
    /`chunksize`.*`0`/,
  ),
  row(
    'Executor',
    "executor.map(ref, [1], {signal: 'x'})",
    (f) => f.executor.map(echo, [1], { signal: 'x' as never }),
    T,
    /`signal`.*"x"/,
  ),
  row(
    'Executor',
    'executor.map(ref, [1], {timeout: -1})',
    (f) => f.executor.map(echo, [1], { timeout: -1 }),
    R,
    /`timeout`.*`-1`/,
  ),
  row('JobFuture', 'job.get({timeout: NaN})', (f) => f.job.get({ timeout: NaN }), R, /`timeout`.*`NaN`/, {
    needs: 'job',
  }),
  row(
    'JobFuture',
    "job.join({signal: 'x'})",
    (f) => f.job.join({ signal: 'x' as never }),
    T,
    /`signal`.*`"x"`/,
    {
      needs: 'job',
    },
  ),
  row('toThread', 'toThread(5)', () => toThread(5 as never), T, /task reference.*5/),
  row(
    'toThread',
    'toThread({timeout: NaN}, ref)',
    () => toThread({ timeout: NaN }, echo, 1),
    R,
    /`timeout`.*`NaN`/,
  ),
  row('taskRef', "taskRef(5, 'x')", () => taskRef(5 as never, 'x'), T, /module.*5/),
  row('taskRef', "taskRef('tasks.js', 'x')", () => taskRef('tasks.js', 'x'), T, /module.*"tasks\.js"/),
  row('taskRef', "taskRef(url, '')", () => taskRef(url, ''), T, /export name.*""/),
  row(
    'taskRef',
    "taskRef(url, 'x', {retries: -1})",
    () => taskRef(url, 'x', { retries: -1 }),
    R,
    /`retries`.*`-1`/,
  ),
  row('taskRef', "taskRef(url, 'x', 5)", () => taskRef(url, 'x', 5 as never), T, /options.*5/),
  row('defineTask', "defineTask(url, 'x', 5)", () => defineTask(url.href, 'x', 5 as never), T, /function.*5/),
  row('defineTask', 'defineTask(5, fn)', () => defineTask(5 as never, definable), T, /module.*5/, {
    state: () => Object.keys(definable),
  }),
  row(
    'defineTask',
    "defineTask(url, 'x', fn, {retries: 1.5})",
    () => defineTask(url.href, 'x', definable, { retries: 1.5 }),
    R,
    /`retries`.*`1\.5`/,
    {
      state: () => Object.keys(definable),
    },
  ),
  row(
    'submitFromJob',
    'submitFromJob(5) outside a job',
    () => (submitFromJob as (...args: unknown[]) => unknown)(5),
    InvalidStateError,
    /submitFromJob\(\).*inside a job/,
  ),
  row(
    'SharedQueue',
    'SharedQueue.create({capacity: 0})',
    () => SharedQueue.create({ capacity: 0, recordSize: 4 }),
    R,
    /`capacity`.*`0`/,
  ),
  row(
    'SharedQueue',
    'SharedQueue.create({capacity: 1, recordSize: 0})',
    () => SharedQueue.create({ capacity: 1, recordSize: 0 }),
    R,
    /`recordSize`.*`0`/,
  ),
  row(
    'SharedQueue',
    'shared.putSync(x, -1)',
    (f) => f.shared.putSync(new Uint8Array(1), -1),
    R,
    /`timeoutMs`.*`-1`/,
    {
      state: (f) => f.shared.size,
    },
  ),
  row('SharedQueue', 'shared.getSync(NaN)', (f) => f.shared.getSync(NaN), R, /`timeoutMs`.*`NaN`/),
  row('SharedQueue', 'new SharedQueue(5)', () => new SharedQueue(5 as never), T, /`buffer`.*5/),
  row('SharedQueue', 'SharedQueue.create(null)', () => SharedQueue.create(null as never), T, /options.*null/),
  row(
    'SharedQueue',
    'SharedQueue.create({capacity: 1, codec: 5})',
    () => SharedQueue.create({ capacity: 1, codec: 5 as never }),
    T,
    /`codec`.*5/,
  ),
  row(
    'SharedQueue',
    'shared.put(x, {timeout: NaN})',
    (f) => f.shared.put(new Uint8Array(1), { timeout: NaN }),
    R,
    /`timeout`.*`NaN`/,
    {
      state: (f) => f.shared.size,
    },
  ),
  row(
    'SharedQueue',
    "shared.get({signal: 'x'})",
    (f) => f.shared.get({ signal: 'x' as never }),
    T,
    /`signal`.*"x"/,
  ),
  row('SharedQueue', 'shared.get(5)', (f) => f.shared.get(5 as never), T, /opts.*5/),
  row('float64Records', 'float64Records(-1)', () => float64Records(-1), R, /`n`.*`-1`/),
  row('float64Records', "float64Records('2')", () => float64Records('2' as never), R, /`n`.*"2"/),

  // ---- testing ----
  row(
    'VirtualClock',
    'new VirtualClock({start: NaN})',
    () => new VirtualClock({ start: NaN }),
    R,
    /`start`.*`NaN`/,
  ),
  row(
    'VirtualClock',
    "new VirtualClock({autojump: 'yes'})",
    () => new VirtualClock({ autojump: 'yes' as never }),
    T,
    /`autojump`.*`"yes"`/,
  ),
  row('VirtualClock', 'new VirtualClock(5)', () => new VirtualClock(5 as never), T, /`opts`.*`5`/),
  row('VirtualClock', 'clock.advance(-1)', (f) => f.clock.advance(-1), R, /`ms`.*`-1`/, {
    state: (f) => f.clock.now(),
  }),
  row('VirtualClock', 'clock.advance(NaN)', (f) => f.clock.advance(NaN), R, /`ms`.*`NaN`/, {
    state: (f) => f.clock.now(),
  }),
  row('VirtualClock', 'clock.advance(Infinity)', (f) => f.clock.advance(Infinity), R, /`ms`.*`Infinity`/, {
    state: (f) => f.clock.now(),
  }),
  row('VirtualClock', 'clock.setTimer(NaN, fn)', (f) => f.clock.setTimer(NaN, noop), R, /`ms`.*`NaN`/, {
    state: (f) => f.clock.pendingTimers,
  }),
  row('VirtualClock', 'clock.setTimer(1, 5)', (f) => f.clock.setTimer(1, 5 as never), T, /`callback`.*`5`/, {
    state: (f) => f.clock.pendingTimers,
  }),
  row(
    'TestClock',
    "new TestClock({start: 'x'})",
    () => new TestClock({ start: 'x' as never }),
    T,
    /`start`.*`"x"`/,
  ),
  row('withVirtualTime', 'withVirtualTime(5)', () => withVirtualTime(5 as never), T, /`fn`.*`5`/, {
    state: () => getClock(),
  }),
  row(
    'withVirtualTime',
    'withVirtualTime(fn, {start: NaN})',
    () => withVirtualTime(noop, { start: NaN }),
    R,
    /`start`.*`NaN`/,
    {
      state: () => getClock(),
    },
  ),
  // ---- coordinated shutdown ----
  row('onShutdown', 'onShutdown(5)', () => onShutdown(5 as never), T, /`resource`.*`5` \(number\)/),
  row('onShutdown', 'onShutdown({})', () => onShutdown({} as never), T, /`resource`.*close/),
  row(
    'onShutdown',
    'onShutdown(fn, {name: 5})',
    () => onShutdown(noop, { name: 5 as never }),
    T,
    /`name`.*`5` \(number\)/,
  ),
  // ---- the observer ----
  row('startObserver', 'startObserver(5)', () => startObserver(5 as never), T, /`opts`.*`5` \(number\)/),
  row('startObserver', 'startObserver({port: -1})', () => startObserver({ port: -1 }), R, /`port`.*-1/),
  row(
    'startObserver',
    "startObserver({host: '0.0.0.0'})",
    () => startObserver({ host: '0.0.0.0' }),
    T,
    /0\.0\.0\.0.*`token`/,
  ),
  row(
    'startObserver',
    "startObserver({token: 'x'})",
    () => startObserver({ token: 'x' }),
    T,
    /`token`.*`"x"`/,
  ),
  row(
    'startObserver',
    'startObserver({intervalMs: 1})',
    () => startObserver({ intervalMs: 1 }),
    R,
    /`intervalMs`.*1/,
  ),
]

/** A function `defineTask` rows must leave as it was. */
function definable(): number {
  return 1
}

/**
 * Exports with no row, and why: they take no argument, or every value is valid. Anything else
 * exported must have a row above.
 */
const noRow: Readonly<Record<string, string>> = {
  // Error classes: made by verdant, or by a codec rebuilding one; any message is valid.
  ActorNotFoundError: 'an error class',
  ActorStoppedError: 'an error class',
  AskTimeoutError: 'an error class',
  BrokenBarrierError: 'an error class',
  CancelledError: 'an error class',
  DataCloneError: 'an error class',
  DeadlockError: 'an error class',
  ExecutorShutDownError: 'an error class',
  InvalidStateError: 'an error class',
  MailboxFullError: 'an error class',
  NodeUnreachableError: 'an error class',
  PayloadTooLargeError: 'an error class',
  QueueEmpty: 'an error class',
  QueueFull: 'an error class',
  QueueShutDown: 'an error class',
  RestartIntensityError: 'an error class',
  TaskKilled: 'an error class',
  TimeoutError: 'an error class',
  VerdantError: 'an error class',
  VerdantInternalError: 'an error class',
  WorkerCrashedError: 'an error class',
  // Base classes and values made by verdant, whose constructors take nothing from the caller.
  Actor: 'an abstract base class; its constructor takes no argument',
  Op: 'an abstract base class; its constructor takes no argument',
  Permit: 'made by acquire(); release() takes no argument',
  Terminated: 'a message verdant builds; any ref and error are valid',
  // No arguments.
  allTasks: 'takes no argument',
  currentTask: 'takes no argument',
  debugEnabled: 'takes no argument',
  defaultExecutor: 'takes no argument',
  disableDebug: 'takes no argument',
  disableImplicitContext: 'takes no argument',
  enableImplicitContext: 'takes no argument',
  getClock: 'takes no argument',
  implicitContextEnabled: 'takes no argument',
  insideWorker: 'takes no argument',
  jobInfo: 'takes no argument',
  jobSignal: 'takes no argument',
  shutdownDefaultExecutor: 'takes no argument',
  assertNoLeaks: 'takes no argument',
  leakReport: 'takes no argument',
  // Every value is valid.
  settledState: 'any value: a non-thenable counts as fulfilled, as with Promise.resolve',
}

/**
 * Exports that should reject bad input and do not yet: each needs a row once it checks its
 * arguments, and must then leave this list.
 */
const unchecked: Readonly<Record<string, string>> = {}

const entries = {
  verdant,
  'verdant/worker': worker,
  'verdant/testing': testing,
  'verdant/observer': observer,
}

/** The function and class exports of every entry, by name. */
function callableExports(): Map<string, string> {
  const out = new Map<string, string>()
  for (const [entry, mod] of Object.entries(entries)) {
    for (const [name, value] of Object.entries(mod)) {
      if (typeof value === 'function' && !out.has(name)) out.set(name, entry)
    }
  }
  return out
}

function isThenableValue(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  )
}

describe('bad input to every public function: a typed error at the call, nothing half-done', () => {
  it.each(rows.map((r) => [`${r.of}: ${r.call}`, r] as const))('%s', async (_name, r) => {
    const f = (open = new Fixtures())
    await f.prepare(r.needs)
    // The fixtures the call uses are made now, not during the call: what it may not change is
    // measured around the call alone.
    for (const [, key] of r.run.toString().matchAll(/\bf\.(\w+)/g)) Reflect.get(f, key as string)
    const before = r.state?.(f)
    const leaksBefore = leakReport()
    const tasksBefore = allTasks().length
    let thrown: unknown
    let returned: unknown
    try {
      returned = r.run(f)
    } catch (err) {
      thrown = err
    }
    // A rejected promise must not go unhandled; an Op is not touched, so nothing starts.
    if (returned instanceof Promise) returned.catch(noop)
    expect(
      thrown,
      `returned ${isThenableValue(returned) ? 'a promise or op' : typeof returned} instead of throwing`,
    ).toBeDefined()
    expect(thrown).toBeInstanceOf(r.error)
    expect((thrown as Error).message).toMatch(r.message)
    expect(allTasks().length, 'tasks made by a call that threw').toBe(tasksBefore)
    expect(leakReport(), 'timers, waiters or workers left by a call that threw').toEqual(leaksBefore)
    if (r.state !== undefined) expect(r.state(f), 'state changed by a call that threw').toEqual(before)
  })

  it('debug mode already on stays on when enableDebug throws', () => {
    enableDebug({ log: noop })
    try {
      expect(() => enableDebug({ slowStepMs: NaN })).toThrow(RangeError)
      expect(debugEnabled()).toBe(true)
    } finally {
      disableDebug()
    }
  })

  it('every function and class exported has a row, or a reason in the allow-list', () => {
    const exported = callableExports()
    const covered = new Set(rows.map((r) => r.of))
    const missing = [...exported.keys()].filter(
      (name) => !covered.has(name) && !(name in noRow) && !(name in unchecked),
    )
    expect(missing, 'exports without a bad-input row').toEqual([])
    // No stale names: every row and list entry is a callable export, listed once.
    const listed = [...Object.keys(noRow), ...Object.keys(unchecked)]
    const unknown = [...covered, ...listed].filter((name) => !exported.has(name))
    expect(unknown, 'rows or list entries naming no export').toEqual([])
    const both = listed.filter((name) => covered.has(name) || (name in noRow && name in unchecked))
    expect(both, 'listed exports that also have rows').toEqual([])
  })
})
