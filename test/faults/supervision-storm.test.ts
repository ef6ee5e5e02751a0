import { describe, expect, it } from 'vitest'
import { RestartIntensityError, type Strategy } from 'verdant'
import {
  type Crash,
  modelStorm,
  runStorm,
  runSupervisionStorms,
  startsByPath,
  type StormNode,
  type StormSpec,
  type SupervisorNode,
} from '../fixtures/soak-supervision.mjs'

// Exact counts on a virtual clock: every crash lands at the millisecond it names, and a restart
// completes before time moves. Each case states what OTP's supervisor rules give, and checks the
// written-out rules (`modelStorm`) agree, so the random storms below are checked against the same.

const sup = (
  name: string,
  strategy: Strategy,
  maxRestarts: number,
  withinMs: number,
  children: StormNode[],
): SupervisorNode => ({ name, strategy, maxRestarts, withinMs, children })

/** A generous top supervisor under the guardian, unless told otherwise. */
const tree = (
  children: StormNode[],
  top: Partial<Omit<SupervisorNode, 'name' | 'children'>> = {},
  guardian = { maxRestarts: 100, withinMs: 1000 },
): StormSpec => ({
  name: 'top',
  strategy: 'oneForOne',
  maxRestarts: 100,
  withinMs: 1000,
  ...top,
  children,
  guardian,
})

const crashes = (path: string, times: number[]): Crash[] => times.map((at) => ({ at, path }))
const W = '/user/top/sup/w'

async function storm(spec: StormSpec, schedule: Crash[]) {
  const got = await runStorm(spec, schedule)
  const want = modelStorm(spec, schedule)
  expect(startsByPath(want.starts), 'the written-out rules').toEqual(startsByPath(got.starts))
  expect(want.gaveUp, 'the written-out rules').toEqual(got.gaveUp)
  expect(want.shutdown, 'the written-out rules').toEqual(got.shutdown)
  return { ...got, byPath: startsByPath(got.starts) }
}

describe('faults: supervision storms escalate where OTP does', () => {
  it('one-for-one, 3 within 1000 ms: three restarts, and the fourth crash within the window escalates', async () => {
    const spec = tree([sup('sup', 'oneForOne', 3, 1000, ['w'])])
    const r = await storm(spec, crashes(W, [100, 200, 300, 400]))
    // The fourth crash stops the worker and fails the supervisor; its parent restarts it at 400,
    // which starts a fresh worker.
    expect(r.byPath[W]).toEqual([0, 100, 200, 300, 400])
    expect(r.byPath['/user/top/sup']).toEqual([0, 400])
    expect(r.gaveUp).toEqual(['/user/top/sup@400'])
    const [error] = r.errors
    expect(error).toBeInstanceOf(RestartIntensityError)
    expect(error?.message).toBe('supervisor /user/top/sup gave up: more than 3 restarts within 1000 ms')
    expect((error?.cause as Error).message).toBe(`crash 4 of ${W} at 400`)
    expect(r.shutdown).toBeUndefined()
  })

  it('crashes spread just wider than the window never escalate; just narrower, the fourth does', async () => {
    // 3 within 1000 ms: at 334 ms apart the oldest of four is 1002 ms back and has left the window.
    const spec = tree([sup('sup', 'oneForOne', 3, 1000, ['w'])])
    const wide = await storm(
      spec,
      crashes(
        W,
        Array.from({ length: 30 }, (_, i) => (i + 1) * 334),
      ),
    )
    expect(wide.byPath[W]).toHaveLength(31)
    expect(wide.gaveUp).toEqual([])
    const narrow = await storm(spec, crashes(W, [333, 666, 999, 1332]))
    expect(narrow.gaveUp).toEqual(['/user/top/sup@1332'])
  })

  it('a restart exactly withinMs after another is still within the window (OTP: R >= Now - Period)', async () => {
    const spec = tree([sup('sup', 'oneForOne', 1, 1000, ['w'])])
    expect((await storm(spec, crashes(W, [100, 1100]))).gaveUp).toEqual(['/user/top/sup@1100'])
    expect((await storm(spec, crashes(W, [100, 1101]))).gaveUp).toEqual([])
  })

  it('maxRestarts 0: the first crash escalates', async () => {
    const r = await storm(tree([sup('sup', 'oneForOne', 0, 1000, ['w'])]), crashes(W, [10]))
    expect(r.gaveUp).toEqual(['/user/top/sup@10'])
    expect(r.byPath[W]).toEqual([0, 10])
  })

  it('intensity is counted per supervisor, across its children', async () => {
    const spec = tree([sup('sup', 'oneForOne', 3, 1000, ['a', 'b', 'c'])])
    const p = (name: string) => `/user/top/sup/${name}`
    const r = await storm(spec, [
      { at: 10, path: p('a') },
      { at: 20, path: p('b') },
      { at: 30, path: p('c') },
      { at: 40, path: p('a') },
    ])
    expect(r.gaveUp).toEqual(['/user/top/sup@40'])
    expect(r.byPath[p('a')]).toEqual([0, 10, 40])
    expect(r.byPath[p('b')]).toEqual([0, 20, 40])
    expect(r.byPath[p('c')]).toEqual([0, 30, 40])
  })

  it('one-for-all: a failure restarts every child and counts once', async () => {
    const spec = tree([sup('sup', 'oneForAll', 2, 1000, ['a', 'b', 'c'])])
    const p = (name: string) => `/user/top/sup/${name}`
    const r = await storm(spec, [
      { at: 10, path: p('b') },
      { at: 20, path: p('c') },
      { at: 30, path: p('a') },
    ])
    for (const name of ['a', 'b', 'c']) expect(r.byPath[p(name)]).toEqual([0, 10, 20, 30])
    expect(r.gaveUp).toEqual(['/user/top/sup@30'])
  })

  it('one-for-all burst: crashes sent to every child in one step each count once, none lost in a restart', async () => {
    const p = (name: string) => `/user/top/sup/${name}`
    // The mailboxes survive a restart, so the crashes the siblings had not handled yet come up in
    // their new incarnations: three failures, three restarts of all three.
    const burst: Crash[] = [
      { at: 10, path: p('a') },
      { at: 10, path: p('b'), batch: true },
      { at: 10, path: p('c'), batch: true },
    ]
    const calm = await storm(tree([sup('sup', 'oneForAll', 5, 1000, ['a', 'b', 'c'])]), burst)
    for (const name of ['a', 'b', 'c']) expect(calm.byPath[p(name)]).toEqual([0, 10, 10, 10])
    expect(calm.gaveUp).toEqual([])
    const over = await storm(tree([sup('sup', 'oneForAll', 2, 1000, ['a', 'b', 'c'])]), burst)
    for (const name of ['a', 'b', 'c']) expect(over.byPath[p(name)]).toEqual([0, 10, 10, 10])
    expect(over.gaveUp).toEqual(['/user/top/sup@10'])
  })

  it('rest-for-one: the failed child and those after it restart, and it counts once', async () => {
    const spec = tree([sup('sup', 'restForOne', 1, 1000, ['a', 'b', 'c'])])
    const p = (name: string) => `/user/top/sup/${name}`
    const r = await storm(spec, [
      { at: 10, path: p('b') },
      { at: 20, path: p('a') },
    ])
    expect(r.byPath[p('a')]).toEqual([0, 20])
    expect(r.byPath[p('b')]).toEqual([0, 10, 20])
    expect(r.byPath[p('c')]).toEqual([0, 10, 20])
    expect(r.gaveUp).toEqual(['/user/top/sup@20'])
  })

  it('an escalation climbs every level that gives up and shuts the system down past the guardian', async () => {
    const spec = tree(
      [sup('sup', 'oneForOne', 0, 1000, ['w'])],
      { maxRestarts: 0 },
      { maxRestarts: 0, withinMs: 1000 },
    )
    const r = await storm(spec, crashes(W, [10, 20]))
    expect(r.gaveUp).toEqual(['/user/top/sup@10', '/user/top@10'])
    expect(r.shutdown).toBe('/user/top@10')
    expect(r.skipped).toEqual([`${W}@20`])
    const last = r.errors.at(-1)
    expect(last).toBeInstanceOf(RestartIntensityError)
    expect(last?.message).toBe('supervisor /user/top gave up: more than 0 restarts within 1000 ms')
    const causes: string[] = []
    for (let e: unknown = last?.cause; e instanceof Error; e = e.cause) causes.push(e.message)
    expect(causes).toEqual([
      'supervisor /user/top gave up: more than 0 restarts within 1000 ms',
      'supervisor /user/top/sup gave up: more than 0 restarts within 1000 ms',
      `crash 1 of ${W} at 10`,
    ])
  })

  it('a supervisor that gives up now and then, wider apart than its own supervisor’s window, never takes it down', async () => {
    const spec = tree([sup('sup', 'oneForOne', 0, 1000, ['w'])], { maxRestarts: 1, withinMs: 100 })
    const r = await storm(spec, crashes(W, [10, 200, 400, 600]))
    expect(r.gaveUp).toEqual([
      '/user/top/sup@10',
      '/user/top/sup@200',
      '/user/top/sup@400',
      '/user/top/sup@600',
    ])
    expect(r.byPath['/user/top']).toEqual([0])
    expect(r.shutdown).toBeUndefined()
  })

  it('a supervisor restarted after giving up starts with no restarts on record, as a new OTP supervisor', async () => {
    // 1 within 1000 ms at both levels. The worker's second crash (20) makes `sup` give up and `top`
    // restart it; the fresh `sup` restarts the worker once more (30) and gives up on the next
    // crash (40), which is `top`'s second restart of it within its window: `top` gives up too, and
    // the guardian, allowed none, shuts the system down.
    const spec = tree(
      [sup('sup', 'oneForOne', 1, 1000, ['w'])],
      { maxRestarts: 1, withinMs: 1000 },
      {
        maxRestarts: 0,
        withinMs: 1000,
      },
    )
    const schedule = crashes(W, [10, 20, 30, 40])
    for (const r of [modelStorm(spec, schedule), await runStorm(spec, schedule)]) {
      expect(startsByPath(r.starts)[W]).toEqual([0, 10, 20, 30])
      expect(r.gaveUp).toEqual(['/user/top/sup@20', '/user/top/sup@40', '/user/top@40'])
      expect(r.shutdown).toBe('/user/top@40')
    }
  })

  it('a top-level actor’s own restarts are counted apart from the restarts it makes of its children', async () => {
    // `top` restarts its worker twice; then `top` itself fails once, which its `supervision` (1
    // within 1000 ms) allows; its second failure does not.
    const spec = tree(['w'], { maxRestarts: 5, withinMs: 1000 }, { maxRestarts: 1, withinMs: 1000 })
    const schedule: Crash[] = [
      { at: 10, path: '/user/top/w' },
      { at: 20, path: '/user/top/w' },
      { at: 30, path: '/user/top' },
      { at: 40, path: '/user/top' },
    ]
    for (const r of [modelStorm(spec, schedule), await runStorm(spec, schedule)]) {
      expect(startsByPath(r.starts)['/user/top']).toEqual([0, 30])
      expect(startsByPath(r.starts)['/user/top/w']).toEqual([0, 10, 20, 30])
      expect(r.shutdown).toBe('/user/top@40')
    }
  })

  it('1,000 random storms over trees up to three supervisors deep match OTP’s rules exactly', async () => {
    const r = await runSupervisionStorms({ storms: 1000, seed: Number(process.env.SOAK_SEED ?? 0x0fa11) })
    expect(r.problems, r.problems.join('\n')).toEqual([])
    expect(r.gaveUp).toBeGreaterThan(0)
    expect(r.shutdowns).toBeGreaterThan(0)
  })
})
