import { describe, expect, it } from 'vitest'
import {
  allTasks,
  call,
  CancelledError,
  currentTask,
  implicitContextEnabled,
  InvalidStateError,
  sleep,
  spawn,
  Task,
  TaskKilled,
  TimeoutError,
} from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../../helpers/setup.js'
import { turn } from '../../helpers/util.js'

describe('Task', () => {
  it('is a Future: await gives the value', async () => {
    const t = spawn(async () => 42)
    expect(t).toBeInstanceOf(Task)
    expect(await t).toBe(42)
    expect(t.state).toBe('succeeded')
    expect(t.successful).toBe(true)
    expect(t.ready).toBe(true)
  })

  it('runs a plain (sync) function as a task', async () => {
    expect(await spawn(() => 'plain')).toBe('plain')
  })

  it('names itself after the option, the function, or its id', async () => {
    async function worker(): Promise<void> {}
    const a = spawn(worker)
    const b = spawn(worker, { name: 'custom' })
    const c = spawn(async () => undefined)
    expect(a.name).toBe('worker')
    expect(b.name).toBe('custom')
    expect(c.name).toBe(`Task-${c.id}`)
    await Promise.all([a, b, c])
  })

  it('does not start until the spawner steps away', async () => {
    const out: string[] = []
    const t = spawn(() => out.push('ran'))
    expect(t.state).toBe('pending')
    expect(t.started).toBe(true)
    out.push('spawner')
    await t
    expect(out).toEqual(['spawner', 'ran'])
  })

  it('rejects a non-function with a TypeError naming what was given', () => {
    expect(() => spawn(42 as unknown as () => void)).toThrow(/Expected a task function, got `42` \(number\)/)
  })

  it('a failing task fails: await throws, exception holds the error', async () => {
    const err = new Error('bad')
    const t = spawn(async () => {
      await null
      throw err
    })
    await expect(t).rejects.toBe(err)
    expect(t.state).toBe('failed')
    expect(t.exception).toBe(err)
    expect(t.successful).toBe(false)
  })

  it('join() never rejects because the task failed', async () => {
    const t = spawn(() => {
      throw new Error('x')
    })
    expect(await t.join()).toBe(true)
    expect(t.state).toBe('failed')
    expect(t.exception).toBeInstanceOf(Error)
  })

  it('get({timeout}) throws TimeoutError while the task runs on', () =>
    withVirtualTime(async () => {
      const t = spawn(function* () {
        yield* sleep(100)
        return 'late'
      })
      await expect(t.get({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError)
      expect(t.state).toBe('running')
      expect(await t.get()).toBe('late')
    }))

  it('link runs once done, immediately if already done; unlink removes it', async () => {
    const out: string[] = []
    const t = spawn(async () => 1)
    const cb = () => out.push('removed')
    t.link((x) => out.push(`linked ${String(x.value)}`))
    t.link(cb)
    expect(t.unlink(cb)).toBe(1)
    await t
    t.link(() => out.push('late'))
    expect(out).toEqual(['linked 1', 'late'])
  })

  it('setResult and setException are refused on a task', async () => {
    const t = spawn(async () => 1)
    expect(() => t.setResult(2)).toThrow(InvalidStateError)
    expect(() => t.setException(new Error())).toThrow(InvalidStateError)
    await t
  })

  it('currentTask() is known in generator steps and the sync start of an async body', async () => {
    const seen: (Task<unknown> | undefined)[] = []
    const g = spawn(function* () {
      seen.push(currentTask())
      yield* sleep(0)
      seen.push(currentTask())
    })
    const a = spawn(async () => {
      seen.push(currentTask())
      await null
      seen.push(currentTask())
    })
    await Promise.all([g, a])
    // After an await, only the opt-in implicit context (on in debug mode) still knows the task.
    expect(seen).toEqual([g, a, implicitContextEnabled() ? a : undefined, g])
    expect(currentTask()).toBeUndefined()
  })

  it('allTasks() lists live tasks, parents before children', async () => {
    let child: Task<unknown> | undefined
    const parent = spawn(function* () {
      child = spawn(function* () {
        yield* sleep(5)
      })
      yield* sleep(5)
    })
    await sleep(1)
    expect(allTasks()).toEqual([parent, child])
    await parent
    expect(allTasks()).toEqual([])
  })

  it('a generator that yields a non-operation gets a TypeError thrown in', async () => {
    const t = spawn(function* () {
      try {
        yield 5 as never
      } catch (e) {
        return (e as Error).message
      }
      return 'no error'
    })
    expect(await t).toMatch(/yielded number; use `yield\*` with a verdant operation/)
  })

  it('call() turns a promise into a yield*-able op', async () => {
    const t = spawn(function* () {
      const v = yield* call(Promise.resolve(20))
      const w = yield* call(() => Promise.resolve(1))
      const x = yield* call(() => 1)
      return v + w + x
    })
    expect(await t).toBe(22)
  })

  it('call() rethrows a rejected promise into the generator', async () => {
    const t = spawn(function* () {
      try {
        yield* call(Promise.reject(new Error('inner')))
      } catch (e) {
        return `caught ${(e as Error).message}`
      }
      return 'none'
    })
    expect(await t).toBe('caught inner')
  })

  it('a root task failure nobody observed is reported with its name', async () => {
    const t = spawn(
      () => {
        throw new Error('nobody looks')
      },
      { name: 'lonely' },
    )
    await sleep(0)
    await turn()
    const r = takeUnobserved()
    expect(r).toHaveLength(1)
    expect(r[0]?.source).toBe('task "lonely"')
    expect(t.state).toBe('failed')
  })

  it('a cancelled task is never reported as a failure', async () => {
    const t = spawn(async (ctx) => {
      await ctx.sleep(1000)
    })
    await sleep(0)
    await t.kill()
    await turn()
    expect(takeUnobserved()).toEqual([])
    expect(t.exception).toBeInstanceOf(CancelledError)
  })

  it('TaskKilled names the task and the reason', async () => {
    const t = spawn(
      async (ctx) => {
        await ctx.sleep(1000)
      },
      { name: 'victim' },
    )
    await sleep(0)
    await t.kill('shutdown')
    const e = t.exception as TaskKilled
    expect(e).toBeInstanceOf(TaskKilled)
    expect(e.task).toBe('victim')
    expect(e.reason).toBe('shutdown')
    expect(e.message).toBe('task victim was killed: "shutdown"')
    expect(e.code).toBe('ERR_VERDANT_TASK_KILLED')
  })

  it('gives the context to a body with rest parameters (a wrapper)', async () => {
    const handler = async (ctx: { signal: AbortSignal }) => ctx.signal.aborted
    const t = spawn((...args: [Parameters<typeof handler>[0]]) => handler(...args))
    expect(await t).toBe(false)
  })
})
