// Every `timeout` in the public API, in one table: what it does when the time is up. A timeout
// that throws throws `TimeoutError` (one `catch` for all); one whose gevent/asyncio semantics is to
// report by value (`join`, `Event.wait`, `wait`, ...) returns that value instead.
import { afterEach, describe, expect, it } from 'vitest'
import {
  ActorSystem,
  asCompleted,
  behavior,
  AsyncResult,
  Barrier,
  BoundedSemaphore,
  Channel,
  Condition,
  Event,
  Future,
  Group,
  joinAll,
  JoinableQueue,
  killAll,
  LifoQueue,
  Lock,
  moveOnAfter,
  Pool,
  PriorityQueue,
  Queue,
  receive,
  Semaphore,
  SharedQueue,
  sleep,
  spawn,
  taskRef,
  ThreadPoolExecutor,
  Timeout,
  TimeoutError,
  wait,
  withTimeout,
  type ActorRef,
  type Task,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import * as tasks from '../fixtures/executor-tasks.mjs'

const MS = 10

/** A task that runs until killed. */
const forever = (): Task<void> =>
  spawn(function* () {
    yield* sleep(1e9)
  })

/** A task that ignores its first kill for a while. */
const stubborn = (): Task<string> =>
  spawn(function* () {
    try {
      yield* sleep(1e9)
    } catch {
      yield* sleep(MS * 5)
    }
    return 'stopped late'
  })

/** Clean-ups a row registers; run after its wait expired. */
type Defer = (fn: () => unknown) => void

interface Row {
  /** The call, with its option. */
  readonly api: string
  /** `'throws'`: rejects with a `TimeoutError`; otherwise the value it returns on expiry. */
  readonly onExpiry: 'throws' | { readonly returns: unknown }
  /** Starts a wait that can only end by its timeout of `MS`, and gives its outcome. */
  readonly run: (defer: Defer) => PromiseLike<unknown>
  /** Executors, worker queues and their timers run on real time, not the virtual clock. */
  readonly realTime?: boolean
}

const throws = 'throws' as const
const returns = (value: unknown) => ({ returns: value })

const executorUrl = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const sleepMs = taskRef<typeof tasks.sleepMs>(executorUrl, 'sleepMs')

let executors: ThreadPoolExecutor[] = []
const executor = (): ThreadPoolExecutor => {
  // A cancelled job's worker is replaced soon, so the clean-up does not wait long for it.
  const ex = new ThreadPoolExecutor({ maxWorkers: 1, killAfterMs: 20 })
  executors.push(ex)
  return ex
}
afterEach(async () => {
  await Promise.all(executors.map((ex) => ex.shutdown({ cancelFutures: true })))
  executors = []
})

const queues: [string, () => Queue<number>][] = [
  ['Queue', () => new Queue<number>({ maxsize: 1 })],
  ['LifoQueue', () => new LifoQueue<number>({ maxsize: 1 })],
  ['PriorityQueue', () => new PriorityQueue<number>({ maxsize: 1 })],
  ['JoinableQueue', () => new JoinableQueue<number>({ maxsize: 1 })],
]
const locks: [string, () => Semaphore][] = [
  ['Lock', () => new Lock()],
  ['Semaphore', () => new Semaphore(1)],
  ['BoundedSemaphore', () => new BoundedSemaphore(1)],
]

const ROWS: Row[] = [
  // Futures and tasks.
  { api: 'Future.get({timeout})', onExpiry: throws, run: () => new Future().get({ timeout: MS }) },
  { api: 'Future.join({timeout})', onExpiry: returns(false), run: () => new Future().join({ timeout: MS }) },
  {
    api: 'Task.get({timeout})',
    onExpiry: throws,
    run: (defer) => {
      const t = forever()
      defer(() => t.kill())
      return t.get({ timeout: MS })
    },
  },
  {
    api: 'Task.join({timeout})',
    onExpiry: returns(false),
    run: (defer) => {
      const t = forever()
      defer(() => t.kill())
      return t.join({ timeout: MS })
    },
  },
  {
    api: 'Task.kill(reason, {timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const t = stubborn()
      defer(() => t)
      await sleep(0)
      return t.kill(undefined, { timeout: MS })
    },
  },
  {
    api: 'TaskContext.get(future, {timeout})',
    onExpiry: throws,
    run: (defer) => {
      const t = spawn(async (ctx) => ctx.get(new Future(), { timeout: MS }))
      defer(() => t.join())
      return t
    },
  },
  {
    api: 'TaskContext.join(future, {timeout})',
    onExpiry: returns(false),
    run: () => spawn(async (ctx) => ctx.join(new Future(), { timeout: MS })),
  },
  {
    api: 'joinAll(futures, {timeout})',
    onExpiry: returns([]),
    run: () => joinAll([new Future()], { timeout: MS }),
  },
  {
    api: 'killAll(tasks, {timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const t = stubborn()
      defer(() => t)
      await sleep(0)
      return killAll([t], { timeout: MS })
    },
  },
  {
    api: 'wait(futures, {timeout})',
    onExpiry: returns({ done: new Set(), pending: new Set([expect.any(Future)]) }),
    run: () => wait([new Future()], { timeout: MS }),
  },
  {
    api: 'asCompleted(futures, {timeout})',
    onExpiry: throws,
    run: async () => {
      for await (const f of asCompleted([new Future()], { timeout: MS })) return f
      return 'ended'
    },
  },
  // Time limits.
  {
    api: 'new Timeout(ms).start() in a task',
    onExpiry: throws,
    run: () =>
      spawn(function* () {
        new Timeout(MS).start()
        yield* sleep(1e9)
      }),
  },
  {
    api: 'ctx.timeout(ms) in an async task',
    onExpiry: throws,
    run: () =>
      spawn(async (ctx) => {
        ctx.timeout(MS)
        await ctx.sleep(1e9)
      }),
  },
  { api: 'withTimeout(ms, fn)', onExpiry: throws, run: () => withTimeout(MS, () => sleep(1e9)) },
  { api: 'moveOnAfter(ms, fn)', onExpiry: returns(undefined), run: () => moveOnAfter(MS, () => sleep(1e9)) },
  // Sync primitives.
  { api: 'Event.wait({timeout})', onExpiry: returns(false), run: () => new Event().wait({ timeout: MS }) },
  { api: 'AsyncResult.get({timeout})', onExpiry: throws, run: () => new AsyncResult().get({ timeout: MS }) },
  {
    api: 'AsyncResult.wait({timeout})',
    onExpiry: returns(undefined),
    run: () => new AsyncResult().wait({ timeout: MS }),
  },
  ...locks.flatMap(([name, make]): Row[] => [
    {
      api: `${name}.acquire({timeout})`,
      onExpiry: throws,
      run: async (defer) => {
        const lock = make()
        const held = await lock.acquire()
        defer(() => held.release())
        return lock.acquire({ timeout: MS })
      },
    },
    {
      api: `${name}.run(fn, {timeout})`,
      onExpiry: throws,
      run: async (defer) => {
        const lock = make()
        const held = await lock.acquire()
        defer(() => held.release())
        return lock.run(() => 'ran', { timeout: MS })
      },
    },
  ]),
  {
    api: 'Condition.acquire({timeout})',
    onExpiry: throws,
    run: async (defer) => {
      const cond = new Condition()
      const held = await cond.acquire()
      defer(() => held.release())
      return cond.acquire({ timeout: MS })
    },
  },
  {
    api: 'Condition.wait({timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const cond = new Condition()
      const held = await cond.acquire()
      defer(() => held.release())
      return cond.wait({ timeout: MS })
    },
  },
  {
    api: 'Condition.waitFor(predicate, {timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const cond = new Condition()
      const held = await cond.acquire()
      defer(() => held.release())
      return cond.waitFor(() => false, { timeout: MS })
    },
  },
  { api: 'Barrier.wait({timeout})', onExpiry: throws, run: () => new Barrier(2).wait({ timeout: MS }) },
  // Queues.
  ...queues.flatMap(([name, make]): Row[] => [
    { api: `${name}.get({timeout})`, onExpiry: throws, run: () => make().get({ timeout: MS }) },
    {
      api: `${name}.put(item, {timeout})`,
      onExpiry: throws,
      run: () => {
        const q = make()
        q.putNowait(1)
        return q.put(2, { timeout: MS })
      },
    },
  ]),
  { api: 'Channel.get({timeout})', onExpiry: throws, run: () => new Channel<number>().get({ timeout: MS }) },
  {
    api: 'Channel.put(item, {timeout})',
    onExpiry: throws,
    run: () => new Channel<number>().put(1, { timeout: MS }),
  },
  {
    api: 'JoinableQueue.join({timeout})',
    onExpiry: returns(false),
    run: () => new JoinableQueue<number>({ items: [1] }).join({ timeout: MS }),
  },
  // Groups and pools.
  {
    api: 'Group.join({timeout})',
    onExpiry: returns(false),
    run: (defer) => {
      const g = new Group()
      g.spawn(forever)
      defer(() => g.kill())
      return g.join({ timeout: MS })
    },
  },
  {
    api: 'Group.kill({timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const g = new Group()
      const t = g.spawn(stubborn)
      defer(() => t)
      await sleep(0)
      return g.kill({ timeout: MS })
    },
  },
  {
    api: 'Group.killOne(task, {timeout})',
    onExpiry: returns(false),
    run: async (defer) => {
      const g = new Group()
      const t = g.spawn(stubborn)
      defer(() => t)
      await sleep(0)
      return g.killOne(t, { timeout: MS })
    },
  },
  {
    api: 'Group.spawn(fn, {timeout}): the task fails with it',
    onExpiry: throws,
    run: () => new Group().spawn(() => sleep(1e9), { timeout: MS }).get(),
  },
  {
    api: 'Pool.spawn(fn, {timeout}): the task fails with it',
    onExpiry: throws,
    run: () => new Pool(1).spawn(() => sleep(1e9), { timeout: MS }).get(),
  },
  {
    api: 'Pool.join({timeout})',
    onExpiry: returns(false),
    run: (defer) => {
      const p = new Pool(1)
      p.spawn(forever)
      defer(() => p.kill())
      return p.join({ timeout: MS })
    },
  },
  {
    api: 'Pool.waitAvailable({timeout})',
    onExpiry: returns(0),
    run: (defer) => {
      const p = new Pool(1)
      p.spawn(forever)
      defer(() => p.kill())
      return p.waitAvailable({ timeout: MS })
    },
  },
  {
    api: 'Pool.onIdle({timeout})',
    onExpiry: returns(false),
    run: (defer) => {
      const p = new Pool(1)
      p.spawn(forever)
      defer(() => p.kill())
      return p.onIdle({ timeout: MS })
    },
  },
  {
    api: 'Pool.onEmpty({timeout})',
    onExpiry: returns(false),
    run: (defer) => {
      const p = new Pool(1)
      p.spawn(forever)
      p.spawn(forever)
      defer(() => p.kill())
      return p.onEmpty({ timeout: MS })
    },
  },
  // Actors.
  {
    api: 'ActorRef.ask(factory, {timeout})',
    onExpiry: throws,
    run: (defer) => {
      const system = new ActorSystem({ name: 'timeouts', log: () => undefined })
      defer(() => system.shutdown())
      const silent = system.spawn(receive<{ replyTo: ActorRef<number> }>(() => undefined))
      return silent.ask<number>((replyTo) => ({ replyTo }), { timeout: MS })
    },
  },
  {
    api: 'ActorSystem.shutdown({timeoutMs})',
    onExpiry: returns({ stopped: 1, unresponsive: ['/user/stuck'] }),
    run: () => {
      const system = new ActorSystem({ name: 'timeouts', log: () => undefined })
      const stuck = behavior<string>(() => ({
        receive: () => undefined,
        postStop: () => new Promise<void>(() => undefined),
      }))
      system.spawn(stuck, { name: 'stuck' })
      return system.shutdown({ timeoutMs: MS })
    },
  },
  // Executors and worker-shared queues run on real time.
  {
    api: 'JobFuture.get({timeout})',
    onExpiry: throws,
    realTime: true,
    run: (defer) => {
      const job = executor().submit(sleepMs, 10_000)
      defer(() => job.cancel())
      return job.get({ timeout: MS })
    },
  },
  {
    api: 'Executor.submitWith(fn, args, {queueTimeoutMs})',
    onExpiry: throws,
    realTime: true,
    run: (defer) => {
      const ex = executor()
      const busy = ex.submit(sleepMs, 10_000)
      defer(() => busy.cancel())
      return ex.submitWith(sleepMs, [1], { queueTimeoutMs: MS })
    },
  },
  {
    api: 'Executor.submitWith(fn, args, {runTimeoutMs})',
    onExpiry: throws,
    realTime: true,
    run: () => executor().submitWith(sleepMs, [10_000], { runTimeoutMs: MS }),
  },
  {
    api: 'Executor.map(fn, items, {timeout})',
    onExpiry: throws,
    realTime: true,
    run: async () => {
      const out: number[] = []
      for await (const v of executor().map(sleepMs, [10_000], { timeout: MS })) out.push(v)
      return out
    },
  },
  {
    api: 'SharedQueue.get({timeout})',
    onExpiry: throws,
    realTime: true,
    run: () => SharedQueue.create({ capacity: 1, recordSize: 1 }).get({ timeout: MS }),
  },
  {
    api: 'SharedQueue.put(item, {timeout})',
    onExpiry: throws,
    realTime: true,
    run: () => {
      const q = SharedQueue.create({ capacity: 1, recordSize: 1 })
      q.putNowait(new Uint8Array([1]))
      return q.put(new Uint8Array([2]), { timeout: MS })
    },
  },
  {
    api: 'SharedQueue.getSync(timeoutMs)',
    onExpiry: throws,
    realTime: true,
    run: async () => SharedQueue.create({ capacity: 1, recordSize: 1 }).getSync(0),
  },
  {
    api: 'SharedQueue.putSync(item, timeoutMs)',
    onExpiry: throws,
    realTime: true,
    run: async () => {
      const q = SharedQueue.create({ capacity: 1, recordSize: 1 })
      q.putNowait(new Uint8Array([1]))
      q.putSync(new Uint8Array([2]), 0)
    },
  },
]

/** Runs a row's wait and its clean-ups; gives its outcome and when (virtual ms) the wait ended. */
async function outcome(row: Row, now: () => number): Promise<{ got: unknown; at: number }> {
  const cleanups: (() => unknown)[] = []
  let got: { value: unknown } | { error: unknown }
  try {
    got = { value: await row.run((fn) => cleanups.push(fn)) }
  } catch (error) {
    got = { error }
  }
  const at = now()
  for (const fn of cleanups.reverse()) await fn()
  return { got, at }
}

describe('conformance: every timeout option, on expiry', () => {
  it('the table names each entry once', () => {
    const names = ROWS.map((r) => r.api)
    expect(new Set(names).size).toBe(names.length)
  })

  for (const row of ROWS) {
    const what = row.onExpiry === 'throws' ? 'throws TimeoutError' : 'returns a value, does not throw'
    it(`${row.api} ${what}`, async () => {
      const expected =
        row.onExpiry === 'throws' ? { error: expect.any(TimeoutError) } : { value: row.onExpiry.returns }
      if (row.realTime === true) {
        expect((await outcome(row, () => 0)).got).toEqual(expected)
        return
      }
      await withVirtualTime(async (clock) => {
        // On the virtual clock, it ended exactly when its timeout did, not for another reason.
        expect(await outcome(row, () => clock.now())).toEqual({ got: expected, at: MS })
      })
    })
  }
})
