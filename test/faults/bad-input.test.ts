import { describe, expect, it } from 'vitest'
import {
  ActorSystem,
  asCompleted,
  Channel,
  Future,
  gather,
  JoinableQueue,
  joinAll,
  killAll,
  LifoQueue,
  PriorityQueue,
  Queue,
  receive,
  shield,
  spawn,
  wait,
} from 'verdant'

type Row = readonly [
  call: string,
  run: () => unknown,
  error: new (...args: never[]) => Error,
  message: RegExp,
]

// Each call must throw synchronously; a rejection later, or an error about a property of the
// wrong object, is what these rows guard against.
const rows: readonly Row[] = [
  // queues
  [
    'new Queue({items: 5})',
    () => new Queue({ items: 5 as never }),
    TypeError,
    /`items`.*iterable.*`5` \(number\)/,
  ],
  [
    'new Queue({items: null})',
    () => new Queue({ items: null as never }),
    TypeError,
    /`items`.*`null` \(null\)/,
  ],
  ['new Queue(5)', () => new Queue(5 as never), TypeError, /`opts`.*options object.*`5` \(number\)/],
  ['new Queue({maxsize: -1})', () => new Queue({ maxsize: -1 }), RangeError, /`maxsize`.*`-1`/],
  [
    'new LifoQueue({items: {}})',
    () => new LifoQueue({ items: {} as never }),
    TypeError,
    /`items`.*`\[object Object\]` \(object\)/,
  ],
  [
    'new JoinableQueue({items: 7})',
    () => new JoinableQueue({ items: 7 as never }),
    TypeError,
    /`items`.*`7` \(number\)/,
  ],
  [
    'new Channel({items: true})',
    () => new Channel({ items: true as never }),
    TypeError,
    /`items`.*`true` \(boolean\)/,
  ],
  [
    'new PriorityQueue({compare: "x"})',
    () => new PriorityQueue({ compare: 'x' as never }),
    TypeError,
    /`compare`.*function.*`"x"` \(string\)/,
  ],
  [
    'new PriorityQueue({items: 3})',
    () => new PriorityQueue({ items: 3 as never }),
    TypeError,
    /`items`.*`3` \(number\)/,
  ],
  [
    'new PriorityQueue({maxsize: 1.5})',
    () => new PriorityQueue({ maxsize: 1.5 }),
    RangeError,
    /`maxsize`.*`1\.5`/,
  ],
  // joinAll / killAll
  [
    "joinAll('x')",
    () => joinAll('x' as never),
    TypeError,
    /`futures`.*iterable of futures or tasks.*`"x"` \(string\)/,
  ],
  ['joinAll(null)', () => joinAll(null as never), TypeError, /`futures`.*`null` \(null\)/],
  [
    'joinAll([future, 5])',
    () => joinAll([new Future(), 5] as never),
    TypeError,
    /`futures\[1\]`.*future or task.*`5` \(number\)/,
  ],
  ['killAll(null)', () => killAll(null as never), TypeError, /`tasks`.*iterable of tasks.*`null` \(null\)/],
  [
    'killAll([future])',
    () => killAll([new Future()] as never),
    TypeError,
    /`tasks\[0\]`.*a task.*`\[object Object\]`/,
  ],
  // futures
  ['gather(null)', () => gather(null as never), TypeError, /`items`.*array.*`null` \(null\)/],
  ["gather('ab')", () => gather('ab' as never), TypeError, /`items`.*array.*`"ab"` \(string\)/],
  ['wait(null)', () => wait(null as never), TypeError, /`futures`.*`null` \(null\)/],
  [
    "wait([future, 'x'])",
    () => wait([new Future(), 'x'] as never),
    TypeError,
    /`futures\[1\]`.*`"x"` \(string\)/,
  ],
  [
    'asCompleted(undefined)',
    () => asCompleted(undefined as never),
    TypeError,
    /`futures`.*`undefined` \(undefined\)/,
  ],
  [
    'asCompleted([{}])',
    () => asCompleted([{}] as never),
    TypeError,
    /`futures\[0\]`.*`\[object Object\]` \(object\)/,
  ],
  ['shield(null)', () => shield(null as never), TypeError, /`inner`.*future or task.*`null` \(null\)/],
]

describe('bad input throws a typed error at the call, naming the argument and its value', () => {
  it.each(rows)('%s', (_call, run, error, message) => {
    let thrown: unknown
    try {
      run()
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(error)
    expect((thrown as Error).message).toMatch(message)
  })

  it('killAll with a bad element or a bad timeout kills none of the tasks', async () => {
    const t = spawn(() => new Promise<void>((r) => setTimeout(r, 5)))
    expect(() => killAll([t, 'x'] as never)).toThrow(/`tasks\[1\]`.*`"x"` \(string\)/)
    expect(() => killAll([t], { timeout: NaN })).toThrow(RangeError)
    await t.join()
    expect(t.state).toBe('succeeded')
  })

  describe('actor ask', () => {
    const f = (): string => 'hello'
    const asks: readonly (readonly [
      call: string,
      factory: unknown,
      opts: unknown,
      error: new (...args: never[]) => Error,
      message: RegExp,
    ])[] = [
      [
        'ask(f, {timeout: NaN})',
        f,
        { timeout: NaN },
        RangeError,
        /`timeout`.*milliseconds.*`NaN` \(number\)/,
      ],
      ['ask(f, {timeout: -1})', f, { timeout: -1 }, RangeError, /`timeout`.*`-1` \(number\)/],
      ["ask(f, {timeout: '5'})", f, { timeout: '5' }, RangeError, /`timeout`.*`"5"` \(string\)/],
      ["ask(f, {signal: 'x'})", f, { signal: 'x' }, TypeError, /`signal`.*AbortSignal.*`"x"` \(string\)/],
      ['ask(f, 5)', f, 5, TypeError, /`opts`.*options object.*`5` \(number\)/],
      ['ask(5)', 5, undefined, TypeError, /`factory`.*function.*`5` \(number\)/],
    ]

    it.each(asks)(
      '%s throws before building or sending the message',
      async (_call, factory, opts, error, message) => {
        const system = new ActorSystem({ name: 'bad-input', log: () => undefined })
        const dead: unknown[] = []
        system.deadLetters.subscribe((d) => dead.push(d))
        const got: unknown[] = []
        const ref = system.spawn(receive<unknown>((m) => void got.push(m)))
        let built = 0
        const counted =
          typeof factory === 'function' ? () => (built++, (factory as () => unknown)()) : factory
        let thrown: unknown
        try {
          void ref.ask(counted as never, opts as never).catch(() => undefined)
        } catch (err) {
          thrown = err
        }
        expect(thrown).toBeInstanceOf(error)
        expect((thrown as Error).message).toMatch(message)
        await system.shutdown()
        expect(built).toBe(0)
        expect(got).toEqual([])
        expect(dead).toEqual([])
      },
    )
  })
})
