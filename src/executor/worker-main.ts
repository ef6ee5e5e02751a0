/**
 * The entry of every executor worker, thread or child process.
 *
 * A worker runs one job at a time, in the order they were sent, which is what lets the executor
 * tell exactly which job a crash killed and when a job starts. Jobs arrive in batches; results go
 * back in batches, flushed when the worker runs out of jobs, when a job returns a promise, and at
 * least every couple of milliseconds, so tiny jobs cost one message per batch and a long job's
 * neighbours are not held back.
 *
 * @module
 */
import { parentPort, Worker, workerData } from 'node:worker_threads'
import { isThenable } from '../core/op.js'
import { CancelledError } from '../errors.js'
import {
  CANCEL,
  CHILD_DONE,
  CLOSE,
  CRASH,
  deserializeError,
  EXPIRED,
  HELLO,
  INIT_FAILED,
  JOBS,
  JOBS_AT,
  JOB_FIELDS,
  OK,
  READY,
  REPORT_FIRST,
  RESULTS,
  serializeError,
  SKIPPED,
  SLOT_DONE,
  SLOT_RUNNING,
  SUBMIT,
  THREW,
  UNCLONEABLE,
  type SerializedError,
  type ThrownValue,
  type WorkerInit,
} from './protocol.js'
import { ReportWriter } from './report-pipe.js'
import { existingModule, type TaskRef, type WorkerFn } from './task-ref.js'
import { installRuntime } from './worker-runtime.js'

/** Results are sent at least this often while jobs keep running. */
const FLUSH_MS = 2
/** Results per message at most. */
const MAX_BATCH = 1024
/**
 * Results held for earlier jobs are sent before a job of a function that has run at least this
 * long (or never ran here): a long job is the one that gets cancelled, timed out or crashes its
 * worker, and a worker terminated mid-job takes held results with it. Below this, the extra
 * message would cost more than the batching saves.
 */
const LONG_JOB_MICROS = 1000

let post: (msg: unknown[]) => void = () => undefined
const port = parentPort
/** A thread's shared words: the running and the last finished job. */
let shared: Int32Array | undefined
/** A child process's report pipe: results, and each job as it starts. */
let report: ReportWriter | undefined
const refs: { moduleUrl: string; exportName: string }[] = []
const fns: (WorkerFn | undefined)[] = []
/** Smoothed run time per function, in µs. */
const runMicros: number[] = []
/** Flat records `[id, fnIndex, args, queueDeadline, flags]`, consumed from `head` (a JOBS message itself). */
let pending: unknown[] = []
let head = 0
let draining = true
let closing = false
/** The next RESULTS message: its header, then `[id, status, value, runMicros]` quadruples. */
let results: unknown[] = [RESULTS]
let lastFlush = 0
const cancelled = new Set<number>()
let current = 0
let currentAborted: unknown = undefined
let controller: AbortController | undefined
let nextChild = 1
const children = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()

installRuntime({
  signal() {
    if (current === 0) throw new Error('jobSignal() was called outside a running job')
    if (controller === undefined) {
      controller = new AbortController()
      if (currentAborted !== undefined) controller.abort(currentAborted)
    }
    return controller.signal
  },
  submit(ref: TaskRef<WorkerFn>, args: unknown[]) {
    const id = nextChild++
    return new Promise((resolve, reject) => {
      children.set(id, { resolve, reject })
      post([SUBMIT, id, current, ref.moduleUrl, ref.exportName, args])
    })
  },
  load,
})

async function start(init: WorkerInit): Promise<void> {
  if (init.shared !== undefined) shared = new Int32Array(init.shared)
  if (init.initializer !== undefined) {
    try {
      const fn = await load(init.initializer)
      await fn(...init.initArgs)
    } catch (err) {
      post([INIT_FAILED, serializeError(err)])
      return
    }
  }
  post([READY])
  draining = false
  if (head < pending.length || closing) drain()
}

function onMessage(msg: unknown[]): void {
  switch (msg[0]) {
    case JOBS: {
      const defs = msg[1] as unknown[] | null
      if (defs !== null) {
        for (let i = 0; i < defs.length; i += 3) {
          refs[defs[i] as number] = { moduleUrl: defs[i + 1] as string, exportName: defs[i + 2] as string }
        }
      }
      // The jobs follow the header in the message itself.
      if (head === pending.length) {
        pending = msg
        head = JOBS_AT
      } else {
        for (let i = JOBS_AT; i < msg.length; i++) pending.push(msg[i])
      }
      if (!draining) drain()
      return
    }
    case CANCEL: {
      const id = msg[1] as number
      const reason = new CancelledError('the job was cancelled')
      if (id === current) {
        currentAborted = reason
        controller?.abort(reason)
      } else {
        for (let i = head; i < pending.length; i += JOB_FIELDS) if (pending[i] === id) cancelled.add(id)
      }
      return
    }
    case CHILD_DONE: {
      const child = children.get(msg[1] as number)
      if (child === undefined) return
      children.delete(msg[1] as number)
      if (msg[2] === true) child.resolve(msg[3])
      else child.reject(deserializeError(msg[3] as SerializedError | ThrownValue))
      return
    }
    case CLOSE:
      closing = true
      if (!draining) exit()
      return
  }
}

function exit(): void {
  if (port !== null) port.close()
  else process.disconnect()
}

/** Node before 22.18 cannot strip types: then TypeScript task modules load through tsx, if installed. */
let typeScriptHooks: Promise<void> | undefined

async function importModule(url: string): Promise<Record<string, unknown>> {
  // Registered before the first import: a failed import is cached for its URL.
  if (/\.[mc]?ts$/.test(url) && !(process.features as { typescript?: unknown }).typescript) {
    typeScriptHooks ??= registerTsx(url)
    await typeScriptHooks
  }
  return (await import(url)) as Record<string, unknown>
}

async function registerTsx(url: string): Promise<void> {
  // A variable specifier: tsx is the application's optional dev dependency, not verdant's.
  const specifier = 'tsx/esm/api'
  let api: { register(): unknown }
  try {
    api = (await import(specifier)) as { register(): unknown }
  } catch {
    throw new Error(
      `cannot load the TypeScript module ${url}: Node ${process.version} does not strip types. Install tsx (npm i -D tsx) and workers use it, run Node >= 22.18, or build the module to .js`,
    )
  }
  api.register()
}

async function load(ref: { moduleUrl: string; exportName: string }): Promise<WorkerFn> {
  // Checked here too: a module may be gone since it was submitted, or reached through submitFromJob.
  const mod = await importModule(existingModule(ref.moduleUrl, ref.exportName))
  const fn = mod[ref.exportName]
  if (typeof fn !== 'function') {
    throw new TypeError(
      `${ref.moduleUrl} has no exported function named ${JSON.stringify(ref.exportName)} (found ${typeof fn})`,
    )
  }
  return fn as WorkerFn
}

async function fnAt(index: number): Promise<WorkerFn> {
  const known = fns[index]
  if (known !== undefined) return known
  const ref = refs[index]
  if (ref === undefined) throw new Error(`unknown function index ${String(index)}`)
  const fn = await load(ref)
  fns[index] = fn
  return fn
}

/** Runs what was sent, one job at a time in order, synchronously until a job must be awaited. */
function drain(): void {
  draining = true
  lastFlush = performance.now()
  runJobs()
}

function runJobs(): void {
  while (head < pending.length) {
    const id = pending[head] as number
    const index = pending[head + 1] as number
    const args = pending[head + 2] as unknown[]
    const deadline = pending[head + 3] as number
    const flags = pending[head + 4] as number
    pending[head + 2] = undefined
    head += JOB_FIELDS
    if (cancelled.size > 0 && cancelled.delete(id)) {
      notRun(id, SKIPPED)
      continue
    }
    if (deadline !== 0 && Date.now() > deadline) {
      notRun(id, EXPIRED)
      continue
    }
    // A chunk of `map` is encoded as a negative index: run the function once per item.
    const chunk = index < 0
    const fi = chunk ? -index - 1 : index
    const fn = fns[fi]
    if (
      (flags & REPORT_FIRST) !== 0 ||
      (results.length > 1 && !((runMicros[fi] ?? Infinity) < LONG_JOB_MICROS))
    )
      flush()
    begin(id)
    const t0 = performance.now()
    if (fn === undefined || chunk) {
      void runAsync(id, fi, chunk, args, t0, undefined).then(resume)
      return
    }
    let status = OK
    let value: unknown
    try {
      value = fn(...args)
    } catch (err) {
      status = THREW
      value = serializeError(err)
    }
    if (status === OK && isThenable(value)) {
      flush()
      void runAsync(id, fi, false, args, t0, value).then(resume)
      return
    }
    end(id, fi, status, value, t0)
    if (yieldDue()) return
  }
  pending = []
  head = 0
  flush()
  draining = false
  if (closing) exit()
}

/** Goes on with the queue after an awaited job. */
function resume(): void {
  if (!yieldDue()) runJobs()
}

/**
 * The slow path of one job: its module to load, a chunk, or a promise it returned (`started`).
 * Never rejects: the job's error is its result.
 */
async function runAsync(
  id: number,
  fi: number,
  chunk: boolean,
  args: unknown[],
  t0: number,
  started: PromiseLike<unknown> | undefined,
): Promise<void> {
  try {
    let value: unknown
    if (started !== undefined) {
      value = await started
    } else {
      const fn = fns[fi] ?? (await fnAt(fi))
      if (chunk) {
        const out: unknown[] = []
        for (const item of args) {
          let v = fn(item)
          if (isThenable(v)) v = await v
          out.push(v)
        }
        value = out
      } else {
        value = fn(...args)
        if (isThenable(value)) {
          flush()
          value = await value
        }
      }
    }
    end(id, fi, OK, value, t0)
  } catch (err) {
    end(id, fi, THREW, serializeError(err), t0)
  }
}

/** Answers a job that will not run (cancelled, or too late to start); it counts as finished. */
function notRun(id: number, status: number): void {
  results.push(id, status, undefined, 0)
  if (shared !== undefined) Atomics.store(shared, SLOT_DONE, id)
}

function begin(id: number): void {
  current = id
  currentAborted = undefined
  controller = undefined
  if (shared !== undefined) Atomics.store(shared, SLOT_RUNNING, id)
  else report?.started(id)
}

function end(id: number, fi: number, status: number, value: unknown, t0: number): void {
  const micros = (performance.now() - t0) * 1000
  const avg = runMicros[fi]
  runMicros[fi] = avg === undefined ? micros : avg * 0.8 + micros * 0.2
  results.push(id, status, value, micros)
  current = 0
  controller = undefined
  if (shared !== undefined) {
    Atomics.store(shared, SLOT_DONE, id)
    Atomics.store(shared, SLOT_RUNNING, 0)
  }
  if (results.length > MAX_BATCH * 4) flush()
}

/** Sends the results every couple of ms during long runs, and then lets messages in. */
function yieldDue(): boolean {
  if (performance.now() - lastFlush <= FLUSH_MS) return false
  flush()
  // Let cancellations and new batches in between long runs of jobs.
  setImmediate(resume)
  return true
}

function flush(): void {
  lastFlush = performance.now()
  if (results.length === 1) return
  const batch = results
  results = [RESULTS]
  try {
    post(batch)
  } catch {
    // Some result cannot be cloned: find it, send its error instead, and keep the others.
    for (let i = 1; i < batch.length; i += 4) {
      try {
        structuredClone(batch[i + 2])
      } catch (err) {
        batch[i + 1] = UNCLONEABLE
        batch[i + 2] = err instanceof Error ? err.message : String(err)
      }
    }
    post(batch)
  }
}

// Last words: a job that calls process.exit(), or an uncaught error, ends the worker through its
// 'exit' event, and the results of the jobs it finished before must not die with it (a thread's
// messages posted here still arrive; a child's report pipe is synchronous).
process.on('exit', flush)

// Connect last: every module-level binding above must exist before the first message.
if (port !== null) {
  post = (msg) => {
    port.postMessage(msg)
  }
  port.on('message', onMessage)
  void start(workerData as WorkerInit)
} else if (process.send !== undefined) {
  const writer = new ReportWriter()
  report = writer
  post = (msg) => {
    writer.message(msg)
  }
  // The first message is the init; the parent's death closes the channel and ends the child.
  process.once('message', (init: WorkerInit) => {
    process.on('message', onMessage)
    void start(init)
  })
  process.on('disconnect', () => process.exit(0))
  watchParent()
  post([HELLO])
  process.on('uncaughtException', (err) => {
    // Say why before dying: the parent otherwise only sees an exit code.
    try {
      post([CRASH, serializeError(err)])
    } finally {
      process.exit(70)
    }
  })
} else {
  throw new Error('verdant worker-main must run as a worker thread or a forked child process')
}

/**
 * A child busy in a synchronous job never sees its IPC channel close, so a watchdog thread checks
 * that the parent is alive and kills this process when it is gone (SIGKILL of the parent included).
 */
function watchParent(): void {
  const watchdog = new Worker(
    `const { workerData: w } = require('node:worker_threads')
    setInterval(() => { if (process.ppid !== w.ppid) process.kill(w.pid, 'SIGKILL') }, 200)`,
    { eval: true, workerData: { ppid: process.ppid, pid: process.pid } },
  )
  watchdog.unref()
}
