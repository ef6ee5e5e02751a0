// Which worker gets a job: the executor's dispatch, driven through stand-in workers whose answer
// delays the test sets, so the choice can be checked without depending on how the OS places threads.
import { afterEach, describe, expect, it } from 'vitest'
import { taskRef } from 'verdant'
import { Executor } from '../../src/executor/executor.js'
import { CLOSE, JOB_FIELDS, JOBS, JOBS_AT, OK, READY, RESULTS } from '../../src/executor/protocol.js'
import type { SpawnSettings, WorkerEvents, WorkerHandle } from '../../src/executor/worker-handle.js'

const add = taskRef<(a: number, b: number) => number>(
  new URL('../fixtures/executor-tasks.mjs', import.meta.url),
  'add',
)

/** A stand-in worker: answers each batch after `delayMs` (null: on the next `setImmediate` turn). */
class FakeWorker implements WorkerHandle {
  jobs = 0
  constructor(
    readonly events: WorkerEvents,
    public delayMs: number | null,
  ) {
    queueMicrotask(() => {
      events.message([READY])
    })
  }
  send(msg: unknown[]): void {
    if (msg[0] === CLOSE) {
      queueMicrotask(() => {
        this.events.exit({ code: 0, signal: undefined, error: undefined, outOfMemory: false })
      })
      return
    }
    if (msg[0] !== JOBS) return
    const out: unknown[] = [RESULTS]
    for (let i = JOBS_AT; i < msg.length; i += JOB_FIELDS) {
      const [a, b] = msg[i + 2] as [number, number]
      out.push(msg[i], OK, a + b, 1)
      this.jobs++
    }
    const answer = (): void => {
      this.events.message(out)
    }
    if (this.delayMs === null) setImmediate(answer)
    else setTimeout(answer, this.delayMs)
  }
  terminate(): void {
    this.events.exit({ code: 1, signal: undefined, error: undefined, outOfMemory: false })
  }
  check(value: unknown): void {
    structuredClone(value)
  }
  progress(): { running: number; done: number } {
    return { running: 0, done: 0 }
  }
  ref(): void {}
  unref(): void {}
}

class FakeExecutor extends Executor {
  readonly workers: FakeWorker[]
  constructor(delays: (number | null)[]) {
    // The workers start inside `super`, before `this` exists.
    const workers: FakeWorker[] = []
    const spawnFake = (_s: SpawnSettings, events: WorkerEvents): WorkerHandle => {
      const w = new FakeWorker(events, delays[workers.length] ?? null)
      workers.push(w)
      return w
    }
    super({ maxWorkers: delays.length, minWorkers: delays.length }, 'FakeExecutor', spawnFake)
    this.workers = workers
  }
}

let open: Executor[] = []
afterEach(async () => {
  await Promise.all(open.map((e) => e.shutdown()))
  open = []
})

/** A stand-in executor with one worker per delay, shut down after the test. */
const fake = (delays: (number | null)[]): FakeExecutor => {
  const ex = new FakeExecutor(delays)
  open.push(ex)
  return ex
}

const oneAtATime = async (ex: Executor, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) expect(await ex.submit(add, i, 1)).toBe(i + 1)
}

describe('dispatch among idle workers', () => {
  it('sends lone jobs to the worker that answers fastest', async () => {
    const ex = fake([5, null])
    await oneAtATime(ex, 200)
    const [slow, fast] = ex.workers as [FakeWorker, FakeWorker]
    expect(slow.jobs + fast.jobs).toBe(200)
    // The slow one is tried first (both unmeasured), then only when its estimate is refreshed.
    expect(slow.jobs).toBeGreaterThanOrEqual(1)
    expect(slow.jobs).toBeLessThanOrEqual(3)
  })

  it('keeps measuring the others, and moves when the fast worker turns slow', async () => {
    const ex = fake([null, null])
    await oneAtATime(ex, 20)
    const [a, b] = ex.workers as [FakeWorker, FakeWorker]
    const [busy, other] = a.jobs >= b.jobs ? [a, b] : [b, a]
    busy.delayMs = 4
    const before = other.jobs
    // The busy worker's own answers raise its estimate, so the next lone jobs go to the other.
    await oneAtATime(ex, 600)
    expect(other.jobs - before).toBeGreaterThan(500)
  })

  it('tries a worker it judged slow again, and takes it back once it answers fast', async () => {
    const ex = fake([1, null])
    await oneAtATime(ex, 20)
    const [first, second] = ex.workers as [FakeWorker, FakeWorker]
    // Swap them: the chosen worker turns slow, the shunned one fast. The next exploring pick (one
    // in 512) must try the shunned one, not the current one, and the choice must then stay there.
    first.delayMs = null
    second.delayMs = 1
    const before = first.jobs
    await oneAtATime(ex, 1100)
    expect(first.jobs - before).toBeGreaterThan(500)
  })

  it('still spreads a burst by load first', async () => {
    const ex = fake([5, null])
    await oneAtATime(ex, 10)
    const [slow, fast] = ex.workers as [FakeWorker, FakeWorker]
    const s0 = slow.jobs
    const f0 = fast.jobs
    await Promise.all(Array.from({ length: 2 }, (_, i) => ex.submit(add, i, i)))
    expect(slow.jobs - s0).toBe(1)
    expect(fast.jobs - f0).toBe(1)
  })
})
