// Producer/consumer through a bounded queue (maxsize 100), 1,000,000 items; and locks.
import { Mutex, Semaphore as AmSemaphore } from 'async-mutex'
import { Effect, Queue as EffectQueue } from 'effect'
import { Lock, Queue, Semaphore } from '../dist/index.js'
import { workload } from './harness.mjs'

const ITEMS = 1_000_000
const MAX = 100
// BENCH_QUEUE_PART=contended runs only L2, in a fresh process: there async-mutex's Semaphore is not
// warmed by the Mutex of L1 (which is built on it), and the two results differ.
const only = process.env.BENCH_QUEUE_PART ?? 'all'

/** One producer and one consumer, awaiting every put and every get. */
async function awaitEach(q) {
  const producer = (async () => {
    for (let i = 0; i < ITEMS; i++) await q.put(i)
  })()
  let sum = 0
  for (let i = 0; i < ITEMS; i++) sum += await q.get()
  await producer
  return sum
}

/** The raw floor: a ring buffer with promise hand-off only when a side must wait. */
class RawQueue {
  #buf = new Array(128)
  #head = 0
  #size = 0
  #getter = undefined
  #putter = undefined
  put(x) {
    if (this.#getter !== undefined) {
      const g = this.#getter
      this.#getter = undefined
      g(x)
      return undefined
    }
    if (this.#size < MAX) {
      this.#buf[(this.#head + this.#size++) & 127] = x
      return undefined
    }
    return new Promise(
      (resolve) => (this.#putter = () => ((this.#buf[(this.#head + this.#size++) & 127] = x), resolve())),
    )
  }
  get() {
    if (this.#size > 0) {
      const x = this.#buf[this.#head]
      this.#head = (this.#head + 1) & 127
      this.#size--
      if (this.#putter !== undefined) {
        const p = this.#putter
        this.#putter = undefined
        p()
      }
      return x
    }
    return new Promise((resolve) => (this.#getter = resolve))
  }
}

if (only === 'all') {
  await workload(
    `W6 bounded queue, maxsize ${MAX}, ${ITEMS.toLocaleString('en')} items, one producer and one consumer`,
    [
      {
        name: 'raw: ring-buffer async queue, await put / await get (as the peer suite)',
        baseline: true,
        fn: () => awaitEach(new RawQueue()),
      },
      {
        name: 'raw: ring-buffer async queue, awaiting only when it must wait',
        fn: async () => {
          const q = new RawQueue()
          const producer = (async () => {
            for (let i = 0; i < ITEMS; i++) {
              const p = q.put(i)
              if (p !== undefined) await p
            }
          })()
          let sum = 0
          for (let i = 0; i < ITEMS; i++) {
            const x = q.get()
            sum += x instanceof Promise ? await x : x
          }
          await producer
          return sum
        },
      },
      {
        name: 'verdant: Queue, await put / await get',
        fn: () => awaitEach(new Queue({ maxsize: MAX })),
      },
      {
        name: 'verdant: Queue, putNowait/getNowait with waits only when needed',
        fn: async () => {
          const q = new Queue({ maxsize: MAX })
          const producer = (async () => {
            for (let i = 0; i < ITEMS; i++) {
              if (q.full) await q.put(i)
              else q.putNowait(i)
            }
          })()
          let sum = 0
          for (let i = 0; i < ITEMS; i++) sum += q.empty ? await q.get() : q.getNowait()
          await producer
          return sum
        },
      },
      {
        name: 'effect 4: Queue.bounded offer / take',
        fn: () =>
          Effect.runPromise(
            Effect.gen(function* () {
              const q = yield* EffectQueue.bounded(MAX)
              yield* Effect.forkDetach(
                Effect.gen(function* () {
                  for (let i = 0; i < ITEMS; i++) yield* EffectQueue.offer(q, i)
                }),
              )
              let sum = 0
              for (let i = 0; i < ITEMS; i++) sum += yield* EffectQueue.take(q)
              return sum
            }),
          ),
      },
    ],
    { ops: ITEMS, rounds: 5 },
  )

  const PAIRS = 1_000_000
  await workload(
    `L1 uncontended lock acquire + release, ${PAIRS.toLocaleString('en')} pairs`,
    [
      {
        name: 'raw: a boolean flag (no waiting)',
        baseline: true,
        fn: async () => {
          let locked = false
          for (let i = 0; i < PAIRS; i++) {
            if (locked) throw new Error('contended')
            locked = true
            await null
            locked = false
          }
        },
      },
      {
        name: 'verdant: (await lock.acquire()).release()',
        fn: async () => {
          const lock = new Lock()
          for (let i = 0; i < PAIRS; i++) (await lock.acquire()).release()
        },
      },
      {
        name: 'verdant: lock.tryAcquire() fast path',
        fn: async () => {
          const lock = new Lock()
          for (let i = 0; i < PAIRS; i++) {
            const p = lock.tryAcquire() ?? (await lock.acquire())
            await null
            p.release()
          }
        },
      },
      {
        name: 'async-mutex: (await mutex.acquire())()',
        fn: async () => {
          const m = new Mutex()
          for (let i = 0; i < PAIRS; i++) (await m.acquire())()
        },
      },
    ],
    { ops: PAIRS, rounds: 5 },
  )
}

const TASKS = 64
const EACH = 2_000
await workload(
  `L2 contended Semaphore(4), ${TASKS} tasks × ${EACH.toLocaleString('en')} acquire / await null / release`,
  [
    {
      name: 'verdant: Semaphore(4)',
      baseline: true,
      fn: async () => {
        const sem = new Semaphore(4)
        await Promise.all(
          Array.from({ length: TASKS }, async () => {
            for (let i = 0; i < EACH; i++) {
              const p = await sem.acquire()
              await null
              p.release()
            }
          }),
        )
      },
    },
    {
      name: 'async-mutex: Semaphore(4)',
      fn: async () => {
        const sem = new AmSemaphore(4)
        await Promise.all(
          Array.from({ length: TASKS }, async () => {
            for (let i = 0; i < EACH; i++) {
              const [, release] = await sem.acquire()
              await null
              release()
            }
          }),
        )
      },
    },
  ],
  { ops: TASKS * EACH, rounds: 5 },
)
