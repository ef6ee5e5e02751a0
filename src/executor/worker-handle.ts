/**
 * One worker as the executor sees it, whatever it runs on: a `worker_threads` thread or a forked
 * child process. Both run the same entry and speak the same messages.
 *
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { serialize } from 'node:v8'
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads'
import { HELLO, SLOT_DONE, SLOT_RUNNING, SLOT_WORDS, type WorkerInit } from './protocol.js'
import { ReportReader, REPORT_FD } from './report-pipe.js'

/** How a worker ended. @internal */
export interface WorkerExit {
  readonly code: number | undefined
  readonly signal: string | undefined
  /** The error that ended it (a thread's uncaught error, out of memory, a failed spawn). */
  readonly error: unknown
  /** It ran out of heap. */
  readonly outOfMemory: boolean
}

/**
 * Which jobs a worker has run, as far as the executor can know: jobs run one at a time in the
 * order sent, so this places every job sent to it. @internal
 */
export interface WorkerProgress {
  /** The job it runs now, or for a process the last one it started (it may have finished). 0: none. */
  readonly running: number
  /** The last job it finished; 0 when not known (a process: every job before `running` finished). */
  readonly done: number
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
  progress(): WorkerProgress
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
    const outOfMemory = (error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY'
    events.exit({ code, signal: undefined, error, outOfMemory })
  })
  const shared = new Int32Array(sab)
  return {
    progress() {
      return { running: Atomics.load(shared, SLOT_RUNNING), done: Atomics.load(shared, SLOT_DONE) }
    },
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

/**
 * How long a dead child's pipes may stay open, held by a process it started, before the executor
 * stops waiting for the last of its reports.
 */
const PIPE_GRACE_MS = 1000
/** Enough of the end of a child's stderr to find V8's out-of-memory message in. */
const STDERR_TAIL = 4096
/** What Node prints when a heap limit is reached, before it aborts. */
const OUT_OF_MEMORY = /heap out of memory|Reached heap limit/

/** @internal */
export function spawnProcess(s: SpawnSettings, events: WorkerEvents): WorkerHandle {
  // stderr passes through the parent, which keeps its end: running out of heap ends a child with
  // SIGABRT like any native abort, and only Node's last words on stderr tell them apart.
  const child: ChildProcess = fork(fileURLToPath(entry()), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc', 'pipe'],
    ...(s.execArgv === undefined ? {} : { execArgv: [...s.execArgv] }),
    ...(s.env === undefined ? {} : { env: s.env }),
  })
  live++
  const pipes = [child.stdio[REPORT_FD], child.stderr].filter((p) => p != null) as Socket[]
  // The child says when it listens: a message sent before that could be lost, so until then
  // messages wait here (already serialized-checked, so a clone error still surfaces at send).
  let early: unknown[][] | undefined = []
  const reader = new ReportReader((msg) => {
    if (msg[0] !== HELLO || early === undefined) {
      events.message(msg)
      return
    }
    child.send({ ...s.init, shared: undefined } satisfies WorkerInit)
    for (const m of early) child.send(m)
    early = undefined
  })
  child.stdio[REPORT_FD]?.on('data', (chunk: Buffer) => {
    reader.push(chunk)
  })
  let tail = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk)
    tail = (tail + chunk.toString('latin1')).slice(-STDERR_TAIL)
  })
  let error: unknown = undefined
  let code: number | null = null
  let signal: NodeJS.Signals | null = null
  let grace: NodeJS.Timeout | undefined
  let ended = false
  // Reported once the pipes are read to their end, so every job the child started and every
  // result it wrote is known first.
  const end = (): void => {
    if (ended) return
    ended = true
    live--
    clearTimeout(grace)
    for (const p of pipes) p.destroy()
    events.exit({
      code: code ?? undefined,
      signal: signal ?? undefined,
      error,
      outOfMemory: signal === 'SIGABRT' && OUT_OF_MEMORY.test(tail),
    })
  }
  child.once('exit', (c, sig) => {
    code = c
    signal = sig
    grace = setTimeout(end, PIPE_GRACE_MS)
  })
  child.once('close', end)
  child.on('error', (err) => {
    // A child that could not be spawned emits no 'exit'. Other errors are messages sent to a
    // child that has just died, which its exit reports.
    if (child.pid !== undefined) return
    error = err
    end()
  })
  return {
    progress() {
      return { running: reader.started, done: 0 }
    },
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
      for (const p of pipes) p.ref()
    },
    unref() {
      child.unref()
      child.channel?.unref()
      for (const p of pipes) p.unref()
    },
  }
}
