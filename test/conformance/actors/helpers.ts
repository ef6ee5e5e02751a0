import {
  ActorSystem,
  type ActorSystemOptions,
  type DeadLetter,
  type LogRecord,
  receive,
  type ActorRef,
} from 'verdant'

/** A system whose log and dead letters the test can read. */
export function newSystem(opts?: ActorSystemOptions): {
  system: ActorSystem
  logs: LogRecord[]
  dead: DeadLetter[]
} {
  const logs: LogRecord[] = []
  const dead: DeadLetter[] = []
  const system = new ActorSystem({ name: 'test', log: (r) => logs.push(r), logLevel: 'debug', ...opts })
  system.deadLetters.subscribe((d) => dead.push(d))
  return { system, logs, dead }
}

/** An actor that records what it receives (Akka `TestProbe`). */
export function probe<T>(
  system: ActorSystem,
  name?: string,
): {
  ref: ActorRef<T>
  got: T[]
  next: () => Promise<T>
} {
  const got: T[] = []
  let waiters: ((v: T) => void)[] = []
  let read = 0
  const ref = system.spawn(
    receive<T>((m) => {
      got.push(m)
      const w = waiters
      waiters = []
      for (const resolve of w) resolve(m)
    }),
    name === undefined ? {} : { name },
  )
  return {
    ref,
    got,
    next: () => {
      if (read < got.length) return Promise.resolve(got[read++] as T)
      return new Promise<T>((resolve) => {
        waiters.push((m) => {
          read++
          resolve(m)
        })
      })
    },
  }
}

/** Lets microtasks, immediates and (on the virtual clock) timers run until `cond` holds, for at most 2 s. */
export async function eventually(cond: () => boolean): Promise<void> {
  const until = Date.now() + 2000
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met within 2 s')
    await new Promise((r) => setImmediate(r))
  }
}
