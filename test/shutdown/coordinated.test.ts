// run()'s coordinated shutdown when main ends: what the program made during the run is closed
// phase by phase, what it made before is left alone unless given to onShutdown, a phase that runs
// out of its share names what it left, and resources close latest first.
import { describe, expect, it } from 'vitest'
import {
  ActorSystem,
  behavior,
  type CoordinatedShutdownReport,
  onShutdown,
  run,
  type Task,
  ThreadPoolExecutor,
} from 'verdant'
import { taskRef } from 'verdant/worker'

const tasks = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const sleepMs = taskRef<(ms: number) => Promise<number>>(tasks, 'sleepMs')

/** run(main) in this process: no signal listeners, no exit; resolves with the shutdown report. */
async function runHere(
  main: Parameters<typeof run>[0],
  gracePeriodMs = 4000,
): Promise<CoordinatedShutdownReport> {
  let report: CoordinatedShutdownReport | undefined
  await run(main, { signals: [], forceExit: false, gracePeriodMs, onShutdownReport: (r) => (report = r) })
  if (report === undefined) throw new Error('no report')
  return report
}

describe('coordinated shutdown', () => {
  it('closes the executors main left open, cancelling and reporting the queued jobs', async () => {
    let pool: ThreadPoolExecutor | undefined
    const report = await runHere(() => {
      pool = new ThreadPoolExecutor({ maxWorkers: 1, name: 'left-open' })
      for (let i = 0; i < 3; i++) void pool.submit(sleepMs, 200).catch(() => undefined)
    })
    expect(pool?.isShutDown).toBe(true)
    expect(pool?.stats().workers.length).toBe(0)
    // The ones not started when main ended (at least the two behind the first) were cancelled,
    // and every one of them is counted in the report.
    expect(report.cancelledJobs['left-open']).toBeGreaterThanOrEqual(2)
    expect(report.cancelledJobs['left-open']).toBe(pool?.stats().cancelled)
    expect(report.phases.every((p) => p.unfinished.length === 0)).toBe(true)
    expect(report.reason).toBe('main ended')
  })

  it('stops an actor system given to onShutdown top-down, in the actors phase', async () => {
    const system = new ActorSystem({ name: 'given-system', logLevel: 'off' })
    const stopped: string[] = []
    const child = behavior((c) => ({
      receive: () => undefined,
      postStop: () => void stopped.push(c.self.path),
    }))
    system.spawn(
      behavior((c) => {
        c.spawn(child, { name: 'child' })
        return { receive: () => undefined, postStop: () => void stopped.push(c.self.path) }
      }),
      { name: 'parent' },
    )
    const off = onShutdown(system)
    try {
      const report = await runHere(() => undefined)
      expect(system.terminated).toBe(true)
      expect(stopped).toEqual(['/user/parent/child', '/user/parent'])
      expect(report.phases.find((p) => p.phase === 'actors')?.unfinished).toEqual([])
    } finally {
      off()
    }
  })

  it('leaves what was made before run() alone, unless given to onShutdown', async () => {
    const before = new ThreadPoolExecutor({ maxWorkers: 1, name: 'before' })
    const given = new ThreadPoolExecutor({ maxWorkers: 1, name: 'given' })
    const off = onShutdown(given)
    try {
      await runHere(() => undefined)
      expect(before.isShutDown).toBe(false)
      expect(given.isShutDown).toBe(true)
    } finally {
      off()
      await before.shutdown()
    }
  })

  it('closes onShutdown resources last, the latest first, and names one that runs out of time', async () => {
    const closed: string[] = []
    const offs = [
      onShutdown(() => void closed.push('first'), { name: 'first' }),
      onShutdown({ close: () => void closed.push('second') }, { name: 'second' }),
      onShutdown({ [Symbol.asyncDispose]: () => new Promise<void>(() => undefined) }, { name: 'stuck' }),
    ]
    try {
      const report = await runHere(() => undefined, 400)
      expect(closed).toEqual(['second', 'first'])
      const last = report.phases.at(-1)
      expect(last?.phase).toBe('connections')
      expect(last?.unfinished).toEqual(['stuck'])
    } finally {
      for (const off of offs) off()
    }
  })

  it('names the tasks that did not end within their share of the grace period', async () => {
    let slow: Task<void> | undefined
    const report = await runHere((ctx) => {
      slow = ctx.spawn(
        async (c) => {
          try {
            await c.sleep(1_000_000)
          } catch {
            // Its clean-up takes longer than the phase's share (35 % of 300 ms).
            await new Promise((r) => setTimeout(r, 400))
          }
        },
        { name: 'slow-cleanup', detached: true },
      )
    }, 300)
    const running = report.phases.find((p) => p.phase === 'running')
    expect(running?.unfinished).toEqual(['task slow-cleanup'])
    await slow?.join()
  })

  it('refuses what cannot be closed, at the call', () => {
    expect(() => onShutdown(5 as never)).toThrow(/resource/)
    expect(() => onShutdown({} as never)).toThrow(/resource/)
    expect(() => onShutdown(() => undefined, { name: 5 as never })).toThrow(/name/)
    expect(() => run(() => undefined, { onShutdownReport: 5 as never })).toThrow(/onShutdownReport/)
  })
})
