// Behaviour shared by both executors, run once per kind (concurrent.futures Executor semantics).
import { getEventListeners } from 'node:events'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CancelledError,
  DataCloneError,
  DeadlockError,
  ExecutorShutDownError,
  ProcessPoolExecutor,
  spawn,
  taskRef,
  ThreadPoolExecutor,
  TimeoutError,
  WorkerCrashedError,
  type Executor,
  type ExecutorOptions,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import * as tasks from '../fixtures/executor-tasks.mjs'
import { jobStarts } from './job-starts.js'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const ref = <K extends keyof typeof tasks>(name: K) =>
  taskRef<Extract<(typeof tasks)[K], (...args: never[]) => unknown>>(url, name)

const echo = taskRef<typeof tasks.echo<unknown>>(url, 'echo')
const slowEcho = taskRef<typeof tasks.slowEcho<unknown>>(url, 'slowEcho')
const slowEchoAnnounced = taskRef<typeof tasks.slowEchoAnnounced<unknown>>(url, 'slowEchoAnnounced')
const spin = ref('spin')
const whoAmI = ref('whoAmI')

const kinds = [
  ['ThreadPoolExecutor', (o: ExecutorOptions = {}) => new ThreadPoolExecutor(o)],
  ['ProcessPoolExecutor', (o: ExecutorOptions = {}) => new ProcessPoolExecutor(o)],
] as const

let open: Executor[] = []
afterEach(async () => {
  await Promise.all(open.map((e) => e.shutdown({ cancelFutures: true })))
  open = []
})

describe.each(kinds)('%s', (_name, make) => {
  const executor = (o: ExecutorOptions = {}): Executor => {
    const e = make({ maxWorkers: 2, ...o })
    open.push(e)
    return e
  }

  describe('submit', () => {
    it('runs a defineTask function and a taskRef export (Executor.submit)', async () => {
      const ex = executor()
      expect(await ex.submit(tasks.add, 1, 2)).toBe(3)
      expect(await ex.submit(echo, { a: [1, 2] })).toEqual({ a: [1, 2] })
    })

    it('a reference object changed after its first use runs what it names now', async () => {
      const ex = executor()
      const named = { moduleUrl: url.href, exportName: 'echo' }
      expect(await ex.submit(taskRef<typeof tasks.echo<number>>(url, 'echo'), 7)).toBe(7)
      expect(await ex.submit(named as typeof echo, 'first')).toBe('first')
      named.exportName = 'fail'
      await expect(ex.submit(named as typeof echo, 'second')).rejects.toThrow('second')
    })

    it('settles every job of a large burst, in any order of completion', async () => {
      const ex = executor()
      const futures = Array.from({ length: 5000 }, (_, i) => ex.submit(tasks.add, i, i))
      const values = await Promise.all(futures)
      expect(values.every((v, i) => v === 2 * i)).toBe(true)
      expect(ex.stats().completed).toBe(5000)
    })

    it('awaits a job that returns a promise', async () => {
      const ex = executor()
      expect(await ex.submit(slowEcho, 'late', 20)).toBe('late')
    })

    it('throws TypeError for a reference that is not one, and for a missing export at run time', async () => {
      const ex = executor()
      expect(() => ex.submit({} as never)).toThrow(/taskRef\(\) or defineTask\(\)/)
      const missing = ex.submit(taskRef<() => void>(url, 'nope'))
      await expect(missing).rejects.toThrow(/no exported function named "nope"/)
      await expect(ex.submit(taskRef<() => void>(url, 'notAFunction'))).rejects.toThrow(/found number/)
    })

    it('loads a TypeScript task module: natively where Node strips types, else through tsx', async () => {
      const ex = executor()
      const tsUrl = new URL('../fixtures/executor-ts-task.ts', import.meta.url)
      const triple = taskRef<(n: number) => { value: number }>(tsUrl, 'triple')
      expect(await ex.submit(triple, 3)).toEqual({ value: 9 })
    })

    it.each(['missing.mjs', 'missing.js', 'missing.ts', 'missing.mts'])(
      'a module file that does not exist (%s) fails the call with a TypeError naming its path',
      async (file) => {
        const ex = executor()
        const missing = new URL(`../fixtures/${file}`, import.meta.url)
        const path = missing.pathname
        const calls = [
          () => ex.submit(taskRef<() => void>(missing, 'x')),
          () => ex.submit({ timeout: 1000 }, taskRef<() => void>(missing, 'x')),
          () => ex.submitWith(taskRef<() => void>(missing, 'x'), [], undefined),
        ]
        for (const call of calls) {
          const err = (() => {
            try {
              call()
            } catch (e) {
              return e
            }
            return undefined
          })() as (TypeError & { code: unknown }) | undefined
          expect(err).toBeInstanceOf(TypeError)
          expect(err?.code).toBe('ERR_MODULE_NOT_FOUND')
          expect(err?.message).toBe(`cannot run x(): its module ${path} does not exist`)
        }
        // map() too, at the call rather than when its first result is awaited.
        expect(() => ex.map(taskRef<(n: number) => void>(missing, 'x'), [1])).toThrow(
          `its module ${path} does not exist`,
        )
        // From inside a job, the same error comes back to the job that submitted.
        expect(await ex.submit(ref('submitMissing'), missing.href)).toEqual({
          name: 'TypeError',
          code: 'ERR_MODULE_NOT_FOUND',
          message: `cannot run x(): its module ${path} does not exist`,
        })
        expect(ex.stats().queued + ex.stats().running).toBe(0)
      },
    )

    it('a module file removed after its first job fails the next worker that loads it, naming its path', async () => {
      const ex = executor({ maxWorkers: 1, maxTasksPerWorker: 1 })
      const path = join(tmpdir(), `verdant-task-${String(process.pid)}-${String(Date.now())}.mjs`)
      writeFileSync(path, 'export const x = () => 42\n')
      const gone = taskRef<() => number>(pathToFileURL(path), 'x')
      try {
        expect(await ex.submit(gone)).toBe(42)
      } finally {
        rmSync(path)
      }
      const err = (await ex.submit(gone).catch((e: unknown) => e)) as TypeError & { code: unknown }
      expect(err).toBeInstanceOf(TypeError)
      expect(err.code).toBe('ERR_MODULE_NOT_FOUND')
      expect(err.message).toBe(`cannot run x(): its module ${path} does not exist`)
    })

    it('a task module that imports a second copy of verdant/worker still sees its job', async () => {
      // As with a TypeScript `paths` alias or a nested install: the worker entry is one copy, the
      // module's `jobSignal` another.
      const copy = mkdtempSync(join(tmpdir(), 'verdant-copy-'))
      try {
        cpSync(new URL('../../dist', import.meta.url), join(copy, 'dist'), { recursive: true })
        writeFileSync(
          join(copy, 'task.mjs'),
          "import { insideWorker, jobSignal } from './dist/worker.js'\n" +
            'export const probe = () => [insideWorker(), jobSignal().aborted]\n',
        )
        const probe = taskRef<() => [boolean, boolean]>(pathToFileURL(join(copy, 'task.mjs')), 'probe')
        expect(await executor().submit(probe)).toEqual([true, false])
      } finally {
        rmSync(copy, { recursive: true, force: true })
      }
    })

    it('a task module that throws at load fails the job; the executor keeps serving', async () => {
      const ex = executor()
      const bad = taskRef<() => void>(
        new URL('../fixtures/executor-throws-at-load.mjs', import.meta.url),
        'x',
      )
      await expect(ex.submit(bad)).rejects.toThrow('this module fails to load')
      expect(await ex.submit(tasks.add, 2, 2)).toBe(4)
    })
  })

  describe('errors cross the boundary', () => {
    it('keeps class name, message, stack and own properties', async () => {
      const ex = executor()
      const err = (await ex.submit(ref('fail'), 'too young').catch((e: unknown) => e)) as Error & {
        field: string
        details: unknown
      }
      expect(err).toBeInstanceOf(Error)
      expect(err.name).toBe('ValidationError')
      expect(err.message).toBe('too young')
      expect(err.stack).toContain('executor-tasks.mjs')
      expect(err.field).toBe('age')
      expect(err.details).toEqual({ min: 1 })
    })

    it('rebuilds built-in classes and causes; passes non-Error throws as they are', async () => {
      const ex = executor()
      const err = (await ex.submit(ref('failRange')).catch((e: unknown) => e)) as Error
      expect(err).toBeInstanceOf(RangeError)
      expect((err.cause as Error).message).toBe('inner')
      await expect(ex.submit(ref('throwString'))).rejects.toBe('just a string')
    })

    it('an uncloneable argument fails that job with DataCloneError naming it; its batch-mates run', async () => {
      const ex = executor()
      const good = ex.submit(echo, 1)
      const bad = ex.submit(echo, () => 1)
      const good2 = ex.submit(echo, 2)
      await expect(bad).rejects.toThrow(DataCloneError)
      await expect(bad).rejects.toThrow(/argument 0 of echo\(\)/)
      expect([await good, await good2]).toEqual([1, 2])
    })

    it('an uncloneable result fails with DataCloneError naming the function', async () => {
      const ex = executor()
      const f = ex.submit(ref('returnFunction'))
      await expect(f).rejects.toThrow(DataCloneError)
      await expect(f).rejects.toThrow(/result of returnFunction\(\)/)
    })
  })

  describe('cancellation', () => {
    it('a cancelled queued job never starts', async () => {
      const ex = executor({ maxWorkers: 1 })
      const busy = ex.submit(spin, 150)
      const queued = ex.submit(ref('countCalls'))
      expect(queued.cancel()).toBe(true)
      expect(queued.cancelled).toBe(true)
      await busy
      expect(await ex.submit(ref('countCalls'))).toBe(1)
      expect(ex.stats().cancelled).toBe(1)
    })

    it('a cancelled running job sees its signal abort and the worker stays', async () => {
      const ex = executor({ maxWorkers: 1 })
      const before = await ex.submit(whoAmI)
      const starts = jobStarts()
      const job = ex.submit(ref('untilCancelledAnnounced'), starts.path)
      await starts.started()
      job.cancel()
      await expect(job).rejects.toBeInstanceOf(CancelledError)
      expect(await ex.submit(whoAmI)).toBe(before)
      expect(ex.stats().crashes).toBe(0)
    })

    it('a running job that ignores cancellation has its worker replaced after killAfterMs', async () => {
      const ex = executor({ maxWorkers: 1, killAfterMs: 100 })
      const before = await ex.submit(whoAmI)
      const starts = jobStarts()
      const stuck = ex.submit(ref('busyForeverAnnounced'), starts.path)
      const behind = ex.submit(tasks.add, 5, 5)
      await starts.started()
      stuck.cancel()
      await expect(stuck).rejects.toBeInstanceOf(CancelledError)
      expect(await behind).toBe(10)
      expect(await ex.submit(whoAmI)).not.toBe(before)
    })

    it('killing the task that waits on a job cancels the job', async () => {
      const ex = executor({ maxWorkers: 1 })
      const starts = jobStarts()
      const job = ex.submit(slowEchoAnnounced, starts.path, 'x', 5000)
      const waiter = spawn(function* () {
        return yield* job
      })
      await starts.started()
      await waiter.kill()
      expect(job.cancelled).toBe(true)
    })

    it('an aborted signal cancels the job', async () => {
      const ex = executor()
      const ac = new AbortController()
      const job = ex.submitWith(slowEcho, ['x', 5000], { signal: ac.signal })
      ac.abort()
      await expect(job).rejects.toBeInstanceOf(CancelledError)
      const pre = ex.submitWith(echo, [1], { signal: AbortSignal.abort() })
      expect(pre.cancelled).toBe(true)
    })
  })

  describe('time limits', () => {
    it('a run limit is armed on the job that runs, even when the results before it are still held', async () => {
      // One batch: the quick job's result is held in the worker while the endless one starts.
      const ex = executor({ maxWorkers: 1, killAfterMs: 20 })
      // Quick answers teach the executor that jobs are short, so it sends the next two as one batch.
      for (let i = 0; i < 10; i++) await ex.submit(echo, i)
      const quick = ex.submit(echo, 'first')
      const endless = ex.submitWith(ref('busyForever'), [], { runTimeoutMs: 50 })
      expect(await quick).toBe('first')
      await expect(endless).rejects.toThrow(TimeoutError)
      await ex.shutdown()
      expect(ex.stats()).toMatchObject({ completed: 11, failed: 1, running: 0 })
    })

    it('queueTimeoutMs: a job that waited too long fails with TimeoutError and never starts', async () => {
      const ex = executor({ maxWorkers: 1 })
      await ex.submit(whoAmI)
      const busy = ex.submit(spin, 200)
      const late = ex.submitWith(ref('countCalls'), [], { queueTimeoutMs: 30 })
      await expect(late).rejects.toThrow(/waited more than 30 ms in the queue|waited too long/)
      await busy
      expect(await ex.submit(ref('countCalls'))).toBe(1)
    })

    it('runTimeoutMs: a job running too long fails with TimeoutError and is stopped', async () => {
      const ex = executor({ maxWorkers: 1, killAfterMs: 50 })
      const job = ex.submitWith(ref('busyForever'), [], { runTimeoutMs: 50 })
      await expect(job).rejects.toThrow(TimeoutError)
      await expect(job).rejects.toThrow(/ran longer than 50 ms/)
      expect(await ex.submit(tasks.add, 1, 1)).toBe(2)
    })
  })

  describe('options first: submit(opts, fn, ...args)', () => {
    it('timeout: a job running too long fails with TimeoutError and is stopped', async () => {
      const ex = executor({ maxWorkers: 1, killAfterMs: 50 })
      const job = ex.submit({ timeout: 50 }, ref('busyForever'))
      await expect(job).rejects.toThrow(TimeoutError)
      await expect(job).rejects.toThrow(/ran longer than 50 ms/)
      expect(await ex.submit({}, tasks.add, 1, 1)).toBe(2)
    })

    it('timeout counts from when the job starts running, not from submit', async () => {
      const ex = executor({ maxWorkers: 1 })
      await ex.submit(whoAmI)
      const busy = ex.submit(spin, 300)
      // Queued behind 300 ms of work, then runs at once: a limit counted from submit would fire.
      const queued = ex.submit({ timeout: 150 }, echo, 'ran')
      const viaSubmitWith = ex.submitWith(echo, ['also'], { timeout: 150 })
      expect(await queued).toBe('ran')
      expect(await viaSubmitWith).toBe('also')
      await busy
    })

    it('signal: aborting it cancels the job; an aborted one cancels it at once', async () => {
      const ex = executor()
      const ac = new AbortController()
      const job = ex.submit({ signal: ac.signal }, slowEcho, 'x', 5000)
      ac.abort()
      await expect(job).rejects.toBeInstanceOf(CancelledError)
      expect(ex.submit({ signal: AbortSignal.abort() }, echo, 1).cancelled).toBe(true)
    })

    it('queueTimeoutMs and killAfterMs work through the same shape', async () => {
      const ex = executor({ maxWorkers: 1 })
      await ex.submit(whoAmI)
      const busy = ex.submit(spin, 200)
      const late = ex.submit({ queueTimeoutMs: 30 }, ref('countCalls'))
      await expect(late).rejects.toThrow(TimeoutError)
      await busy
      const stuck = ex.submit({ timeout: 20, killAfterMs: 20 }, ref('busyForever'))
      await expect(stuck).rejects.toThrow(TimeoutError)
      expect(await ex.submit(ref('countCalls'))).toBe(1)
    })

    it('bad options throw a typed error at the call, before anything is queued or armed', () => {
      const ex = executor()
      const bad: [unknown, ErrorConstructor, RegExp][] = [
        [{ timeout: -1 }, RangeError, /`timeout`.*>= 0.*-1/],
        [{ timeout: 'soon' }, RangeError, /`timeout`/],
        [{ runTimeoutMs: Number.NaN }, RangeError, /`runTimeoutMs`/],
        [{ queueTimeoutMs: 10, runTimeoutMs: -5 }, RangeError, /`runTimeoutMs`/],
        [{ killAfterMs: -1 }, RangeError, /`killAfterMs`/],
        [{ timeout: 10, runTimeoutMs: 10 }, TypeError, /`timeout` or `runTimeoutMs`.*not both/],
        [{ signal: 'stop' }, TypeError, /`signal` must be an AbortSignal/],
        [{ transfer: new ArrayBuffer(1) }, TypeError, /`transfer` must be an array/],
      ]
      for (const [opts, type, message] of bad) {
        expect(() => ex.submit(opts as never, tasks.add, 1, 2)).toThrow(type)
        expect(() => ex.submit(opts as never, tasks.add, 1, 2)).toThrow(message)
        expect(() => ex.submitWith(tasks.add, [1, 2], opts as never)).toThrow(message)
      }
      expect(() => ex.submitWith(tasks.add, [1, 2], 5 as never)).toThrow(/options must be an object, got 5/)
      expect(() => ex.submit(null as never)).toThrow(/taskRef\(\) or defineTask\(\)/)
      expect(() => ex.submit({ timeout: 5 }, {} as never)).toThrow(/taskRef\(\) or defineTask\(\)/)
      expect(ex.stats().queued + ex.stats().running + ex.stats().cancelled).toBe(0)
    })
  })

  describe('crashes', () => {
    it('process.exit in a job fails it with WorkerCrashedError; queued jobs run on the replacement', async () => {
      const ex = executor({ maxWorkers: 1 })
      const dying = ex.submit(ref('exitWith'), 3)
      const after = [ex.submit(tasks.add, 1, 2), ex.submit(tasks.add, 3, 4)]
      const err = (await dying.catch((e: unknown) => e)) as WorkerCrashedError
      expect(err).toBeInstanceOf(WorkerCrashedError)
      expect(err.exitCode).toBe(3)
      expect(err.message).toMatch(/exited with code 3/)
      expect(await Promise.all(after)).toEqual([3, 7])
      expect(ex.stats().crashes).toBe(1)
    })

    it('an error thrown outside any job crashes the worker, naming the error', async () => {
      const ex = executor({ maxWorkers: 1 })
      const err = (await ex.submit(ref('throwOutside')).catch((e: unknown) => e)) as WorkerCrashedError
      expect(err).toBeInstanceOf(WorkerCrashedError)
      expect(err.message).toMatch(/thrown outside the job/)
      expect(await ex.submit(tasks.add, 1, 1)).toBe(2)
    })
  })

  describe('shutdown', () => {
    it('waits for queued and running jobs; submit afterwards throws', async () => {
      const ex = executor({ maxWorkers: 1 })
      const jobs = [ex.submit(slowEcho, 'a', 30), ex.submit(slowEcho, 'b', 30)]
      await ex.shutdown()
      expect(jobs.map((j) => j.value)).toEqual(['a', 'b'])
      expect(() => ex.submit(tasks.add, 1, 1)).toThrow(ExecutorShutDownError)
    })

    it('cancelFutures cancels the queued and the running jobs; a running one may finish its work', async () => {
      const ex = executor({ maxWorkers: 1 })
      const starts = jobStarts()
      const running = ex.submit(ref('finishAfterCancel'), starts.path, 50)
      await starts.started()
      const queued = ex.submit(slowEcho, 'q', 50)
      await ex.shutdown({ cancelFutures: true })
      expect(running.cancelled).toBe(true)
      expect(queued.cancelled).toBe(true)
      // It ended within killAfterMs: its worker left on its own.
      expect(ex.stats().crashes).toBe(0)
    })

    it('await using shuts the executor down', async () => {
      let job
      {
        await using ex = make({ maxWorkers: 1 })
        job = ex.submit(slowEcho, 'done', 20)
      }
      expect(job.value).toBe('done')
    })
  })

  describe('map', () => {
    it('yields in input order, with chunks', async () => {
      const ex = executor()
      const out: unknown[] = []
      for await (const v of ex.map(echo, [1, 2, 3, 4, 5, 6, 7], { chunksize: 3 })) out.push(v)
      expect(out).toEqual([1, 2, 3, 4, 5, 6, 7])
    })

    it('ordered: false yields as jobs complete', async () => {
      // Both workers up first: a worker still starting (a child process under load takes over
      // 100 ms) would hold the short job back, and the order would say nothing about the map.
      const ex = executor({ minWorkers: 2 })
      await expect
        .poll(() => ex.stats().workers.filter((w) => w.state === 'ready').length, { timeout: 15_000 })
        .toBe(2)
      const out: unknown[] = []
      for await (const v of ex.map(ref('sleepMs'), [120, 10], { ordered: false })) out.push(v)
      expect(out).toEqual([10, 120])
    })

    it('pulls lazily from an endless source and cancels what is in flight on break', async () => {
      const ex = executor()
      let pulled = 0
      function* naturals(): Generator<number> {
        for (let i = 0; ; i++) {
          pulled++
          yield i
        }
      }
      const out: unknown[] = []
      for await (const v of ex.map(echo, naturals(), { window: 4 })) {
        out.push(v)
        if (out.length === 10) break
      }
      expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(pulled).toBeLessThanOrEqual(15)
    })

    it('the first failure is thrown and the rest cancelled; timeout bounds the whole map', async () => {
      const ex = executor()
      const failing = taskRef<(m: string) => never>(url, 'fail')
      await expect(
        (async () => {
          for await (const v of ex.map(failing, ['x', 'y'])) expect(v).toBeUndefined()
        })(),
      ).rejects.toThrow('x')
      await expect(
        (async () => {
          for await (const v of ex.map(ref('sleepMs'), [1000], { timeout: 30 })) expect(v).toBeUndefined()
        })(),
      ).rejects.toThrow(TimeoutError)
    })

    it('timeout runs on real time, as the jobs do, even under a virtual clock', () =>
      withVirtualTime(async (clock) => {
        const ex = executor()
        const ac = new AbortController()
        await expect(
          (async () => {
            for await (const v of ex.map(ref('sleepMs'), [1000], { timeout: 30, signal: ac.signal }))
              expect(v).toBeUndefined()
          })(),
        ).rejects.toThrow(TimeoutError)
        // Nothing waited on the virtual clock, so it never moved; the user's signal kept no listener.
        expect(clock.now()).toBe(0)
        expect(getEventListeners(ac.signal, 'abort')).toEqual([])
      }))

    it('a signal aborted mid-map rejects with its reason and cancels what is in flight', async () => {
      const ex = executor()
      const ac = new AbortController()
      const starts = jobStarts()
      const items = [1000, 1000].map((ms) => ({ path: starts.path, ms }))
      const run = (async () => {
        for await (const v of ex.map(ref('sleepMsAnnounced'), items, { timeout: 10_000, signal: ac.signal }))
          expect(v).toBeUndefined()
      })()
      await starts.started()
      ac.abort(new Error('stop the map'))
      await expect(run).rejects.toThrow('stop the map')
      expect(getEventListeners(ac.signal, 'abort')).toEqual([])
    })
  })

  describe('workers', () => {
    it('maxTasksPerWorker replaces a worker after N jobs', async () => {
      const ex = executor({ maxWorkers: 1, maxTasksPerWorker: 2 })
      const ids: string[] = []
      for (let i = 0; i < 6; i++) ids.push(await ex.submit(whoAmI))
      expect(new Set(ids).size).toBe(3)
      expect(ids[0]).toBe(ids[1])
      expect(ids[2]).toBe(ids[3])
    })

    it('runs the initializer in each worker before its jobs', async () => {
      const ex = executor({ initializer: ref('init'), initArgs: ['ready'] })
      expect(await ex.submit(ref('threadInfo'))).toEqual({ initialized: 'ready' })
    })

    it('a failing initializer breaks the executor: pending jobs fail, submit throws', async () => {
      const ex = executor({ initializer: ref('initFails') })
      const job = ex.submit(tasks.add, 1, 1)
      await expect(job).rejects.toThrow(/initializer failed on purpose/)
      expect(() => ex.submit(tasks.add, 1, 1)).toThrow(/broken/)
    })

    it('stats count jobs and report run and wait quantiles and utilization', async () => {
      const ex = executor()
      await Promise.all([
        ex.submit(spin, 20),
        ex.submit(spin, 20),
        ex.submit(ref('fail'), 'x').catch(() => 0),
      ])
      const s = ex.stats()
      expect(s.completed).toBe(2)
      expect(s.failed).toBe(1)
      expect(s.queued).toBe(0)
      expect(s.running).toBe(0)
      expect(s.runTime.count).toBe(3)
      expect(s.runTime.p99).toBeGreaterThanOrEqual(15_000)
      expect(s.workers.length).toBeGreaterThan(0)
      expect(s.workers.some((w) => w.utilization > 0)).toBe(true)
    })
  })

  describe('jobs that submit jobs', () => {
    it('a job may submit to its own executor and await the result', async () => {
      const ex = executor({ maxWorkers: 2 })
      expect(await ex.submit(ref('parent'), 4)).toBe(50)
    })

    it('when every worker waits on a nested job, the nested job fails with DeadlockError', async () => {
      const ex = executor({ maxWorkers: 1 })
      const err = (await ex.submit(ref('parent'), 4).catch((e: unknown) => e)) as Error
      expect(err.name).toBe(DeadlockError.name)
      expect(err.message).toMatch(/could never start/)
    })
  })
})

describe('ThreadPoolExecutor only', () => {
  it('a thread that dies mid-batch fails its running job alone: the jobs that ran before it are not run again', async () => {
    const ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    open.push(ex)
    // Quick answers teach the executor that jobs are short, so the next ones go as one batch:
    // the worker runs 1 and 2 and holds their results when 3 ends it.
    for (let i = 0; i < 10; i++) await ex.submit(echo, i)
    const log = join(tmpdir(), `verdant-starts-${String(process.pid)}-${String(Date.now())}.log`)
    writeFileSync(log, '')
    try {
      const jobs = [
        ex.submit(ref('record'), log, 1),
        ex.submit(ref('record'), log, 2),
        ex.submit(ref('recordAndExit'), log, 3, 7),
        ex.submit(ref('record'), log, 4),
      ]
      const outcomes = await Promise.allSettled(jobs)
      const starts = readFileSync(log, 'utf8').trim().split('\n').map(Number)
      // Every job started exactly once, whatever became of its result.
      expect([...starts].sort()).toEqual([1, 2, 3, 4])
      const crash = outcomes[2] as PromiseRejectedResult
      expect(crash.reason).toBeInstanceOf(WorkerCrashedError)
      expect((crash.reason as WorkerCrashedError).resultLost).toBe(false)
      expect(outcomes[3]).toEqual({ status: 'fulfilled', value: 4 })
      for (const o of outcomes.slice(0, 2)) {
        // The result came back before the crash, or it is said to be lost: never a second run.
        if (o.status === 'rejected') {
          expect(o.reason).toBeInstanceOf(WorkerCrashedError)
          expect((o.reason as WorkerCrashedError).resultLost).toBe(true)
          expect((o.reason as Error).message).toMatch(/ran, but its result was lost/)
        }
      }
      expect(ex.stats().crashes).toBe(1)
    } finally {
      rmSync(log, { force: true })
    }
  })

  it('toThread runs on the shared default pool', async () => {
    const { toThread, shutdownDefaultExecutor, defaultExecutor } = await import('verdant')
    expect(await toThread(tasks.add, 20, 22)).toBe(42)
    expect(defaultExecutor().stats().completed).toBe(1)
    await shutdownDefaultExecutor()
  })

  it('toThread takes per-job options first, as submit does', async () => {
    const { toThread, shutdownDefaultExecutor } = await import('verdant')
    expect(await toThread({ timeout: 5000 }, tasks.add, 1, 2)).toBe(3)
    await expect(toThread({ timeout: 20, killAfterMs: 20 }, ref('busyForever'))).rejects.toThrow(TimeoutError)
    expect(() => toThread({ timeout: -1 }, tasks.add, 1, 2)).toThrow(RangeError)
    await shutdownDefaultExecutor()
  })

  it('moves transferred ArrayBuffers and shares SharedArrayBuffers', async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    const buf = new ArrayBuffer(1024)
    const f = ex.submitWith(ref('byteLength'), [buf], { transfer: [buf] })
    await Promise.resolve()
    await Promise.resolve()
    expect(buf.byteLength).toBe(0)
    expect(await f).toBe(1024)
    const sab = new SharedArrayBuffer(8)
    expect(await ex.submit(ref('sharedAdd'), sab, 1, 5)).toBe(5)
    expect(new Int32Array(sab)[1]).toBe(5)
  })

  it('a worker over its resourceLimits dies with "out of memory"; the pool keeps serving', async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 24 } })
    const err = (await ex.submit(ref('allocate')).catch((e: unknown) => e)) as WorkerCrashedError
    expect(err).toBeInstanceOf(WorkerCrashedError)
    expect(err.reason).toMatch(/out of memory/)
    expect(await ex.submit(tasks.add, 1, 1)).toBe(2)
  })
})

describe('ProcessPoolExecutor only', () => {
  it('a segfault fails the job with the signal and the pool keeps serving', async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 })
    const err = (await ex.submit(ref('segfault')).catch((e: unknown) => e)) as WorkerCrashedError
    expect(err).toBeInstanceOf(WorkerCrashedError)
    expect(err.signal).toBe('SIGSEGV')
    expect(await ex.submit(tasks.add, 2, 3)).toBe(5)
  })

  it('runs jobs in other processes', async () => {
    await using ex = new ProcessPoolExecutor({ maxWorkers: 1 })
    expect(await ex.submit(ref('pid'))).not.toBe(process.pid)
  })
})
