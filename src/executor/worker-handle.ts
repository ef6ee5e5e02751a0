/**
 * One worker as the executor sees it, whatever it runs on: a `worker_threads` thread or a forked
 * child process. Both run the same entry and speak the same messages.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { serialize } from 'node:v8'
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads'
import { HELLO, SLOT_WORDS, type WorkerInit } from './protocol.js'

/** How a worker ended. @internal */
export interface WorkerExit {
  readonly code: number | undefined
  readonly signal: string | undefined
  /** The error that ended it (a thread's uncaught error, out of memory, a failed spawn). */
  readonly error: unknown
}

/** @internal */
export interface WorkerEvents {
  readonly message: (msg: unknown[]) => void
  readonly exit: (how: WorkerExit) => void
}

/** @internal */
export interface WorkerHandle {
  /** Throws a clone error synchronously, before anything is sent. */
  send(msg: unknown[], transfer?: readonly Transferable[]): void
  terminate(): void
  /** Throws the error `send` would for this one value, to name which argument cannot cross. */
  check(value: unknown): void
  ref(): void
  unref(): void
  /** A thread's shared words (the running job's id); undefined for a process. */
  readonly shared: Int32Array | undefined
}

/** The settings a worker is started with. @internal */
export interface SpawnSettings {
  readonly name: string
  readonly execArgv: readonly string[] | undefined
  readonly env: NodeJS.ProcessEnv | undefined
  readonly resourceLimits: ResourceLimits | undefined
  readonly init: Omit<WorkerInit, 'shared'>
}

let live = 0

/** Workers started and not yet exited, across every executor. @internal */
export function liveWorkers(): number {
  return live
}

/**
 * The worker entry. When verdant runs from its TypeScript sources (its own test suite), workers run
 * the built copy, since a worker cannot load TypeScript on every supported Node.
 */
function entry(): URL {
  const here = new URL(import.meta.url)
  if (here.pathname.endsWith('.ts')) return new URL('../../dist/executor/worker-main.js', here)
  return new URL('./worker-main.js', here)
}

/** @internal */
export function spawnThread(s: SpawnSettings, events: WorkerEvents): WorkerHandle {
  const sab = new SharedArrayBuffer(SLOT_WORDS * 4)
  const init: WorkerInit = { ...s.init, shared: sab }
  const worker = new Worker(entry(), {
    workerData: init,
    name: s.name,
    ...(s.execArgv === undefined ? {} : { execArgv: [...s.execArgv] }),
    ...(s.env === undefined ? {} : { env: s.env }),
    ...(s.resourceLimits === undefined ? {} : { resourceLimits: s.resourceLimits }),
  })
  live++
  let error: unknown = undefined
  worker.on('message', events.message)
  worker.on('error', (err) => {
    error = err
  })
  worker.once('exit', (code) => {
    live--
    events.exit({ code, signal: undefined, error })
  })
  return {
    shared: new Int32Array(sab),
    send(msg, transfer) {
      worker.postMessage(msg, transfer as Transferable[] | undefined)
    },
    terminate() {
      void worker.terminate()
    },
    check(value) {
      structuredClone(value)
    },
    ref() {
      worker.ref()
    },
    unref() {
      worker.unref()
    },
  }
}

/** @internal */
export function spawnProcess(s: SpawnSettings, events: WorkerEvents): WorkerHandle {
  const child: ChildProcess = fork(fileURLToPath(entry()), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(s.execArgv === undefined ? {} : { execArgv: [...s.execArgv] }),
    ...(s.env === undefined ? {} : { env: s.env }),
  })
  live++
  let ended = false
  let error: unknown = undefined
  const end = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (ended) return
    ended = true
    live--
    events.exit({ code: code ?? undefined, signal: signal ?? undefined, error })
  }
  // The child says when it listens: a message sent before that could be lost, so until then
  // messages wait here (already serialized-checked, so a clone error still surfaces at send).
  let early: unknown[][] | undefined = []
  child.on('message', (msg: unknown[]) => {
    if (msg[0] !== HELLO || early === undefined) {
      events.message(msg)
      return
    }
    child.send({ ...s.init, shared: undefined } satisfies WorkerInit)
    for (const m of early) child.send(m)
    early = undefined
  })
  child.on('error', (err) => {
    error = err
    // A child that could not be spawned emits no 'exit'.
    if (child.pid === undefined) end(null, null)
  })
  child.once('exit', end)
  return {
    shared: undefined,
    send(msg) {
      if (early === undefined) child.send(msg)
      else {
        serialize(msg)
        early.push(msg)
      }
    },
    terminate() {
      child.kill('SIGKILL')
    },
    check(value) {
      serialize(value)
    },
    ref() {
      child.ref()
      child.channel?.ref()
    },
    unref() {
      child.unref()
      child.channel?.unref()
    },
  }
}
