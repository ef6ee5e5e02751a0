/**
 * The messages between an executor and its workers, and how errors cross them.
 *
 * Messages are small arrays, not objects: a batch of jobs is one flat array of
 * `[id, fnIndex, args, queueDeadline, flags]` records after its header, a batch of results one of
 * `[id, status, value, runMicros]` quadruples, because cloning one array of N entries is far cheaper than N
 * messages, and an array inside the message costs its own clone on both sides (measured: about a
 * twentieth of a lone job's round trip). Functions are named once per worker (`refs`) and then by
 * index.
 *
 * @module
 */

/**
 * Main → worker: a batch of jobs `[JOBS, refs | null, ...records]`, each record `JOB_FIELDS` long:
 * id, function index, arguments, queue deadline, flags. @internal
 */
export const JOBS = 0
/** Where the job records of a JOBS message start. @internal */
export const JOBS_AT = 2
/** The length of one job record. @internal */
export const JOB_FIELDS = 5
/**
 * Job flag: send the results held for the jobs before this one before starting it. A job with a run
 * limit has it armed when the executor learns that it is the one running; results still held for
 * finished jobs would make the executor think an earlier job runs, and arm nothing on this one.
 * @internal
 */
export const REPORT_FIRST = 1
/** Main → worker: `[CANCEL, id]` stop (or skip) a job. @internal */
export const CANCEL = 1
/** Main → worker: `[CHILD_DONE, childId, ok, value]` the outcome of a job a job submitted. @internal */
export const CHILD_DONE = 2
/** Main → worker: `[CLOSE]` finish what was sent, then exit. @internal */
export const CLOSE = 3

/** Worker → main: `[READY]` the initializer ran. @internal */
export const READY = 10
/** Worker → main: `[RESULTS, ...quadruples]` a batch of outcomes. @internal */
export const RESULTS = 11
/** Worker → main: `[INIT_FAILED, error]`. @internal */
export const INIT_FAILED = 12
/** Worker → main: `[SUBMIT, childId, parentId, moduleUrl, exportName, args]`. @internal */
export const SUBMIT = 13
/** Child process → parent: `[CRASH, error]` an uncaught error is about to end the process. @internal */
export const CRASH = 14
/** Child process → parent: `[HELLO]` listening; send the init now. @internal */
export const HELLO = 15

/** Result statuses. @internal */
export const OK = 0
/** The job threw; the value is a serialized error. @internal */
export const THREW = 1
/** The job was cancelled before it started. @internal */
export const SKIPPED = 2
/** The job waited in the queue past its deadline and never started. @internal */
export const EXPIRED = 3
/** The job's result could not be cloned; the value is the clone error's message. @internal */
export const UNCLONEABLE = 4

/** The shared-memory words of a thread worker: the id of the job it runs (0 between jobs). @internal */
export const SLOT_RUNNING = 0
/** @internal */
export const SLOT_WAKE = 1
/**
 * The id of the last job the worker finished (ran, skipped or expired), written as its result is
 * put aside: after a crash, the jobs up to it lost only their results, which may still have been
 * held in the worker. @internal
 */
export const SLOT_DONE = 2
/** @internal */
export const SLOT_WORDS = 3

/** How the executor tells a worker who it is. @internal */
export interface WorkerInit {
  readonly initializer: { moduleUrl: string; exportName: string } | undefined
  readonly initArgs: readonly unknown[]
  /** A thread worker's shared words: the running job id, and a wake-up word. */
  readonly shared: SharedArrayBuffer | undefined
}

/** An error flattened to cloneable data. @internal */
export interface SerializedError {
  readonly isError: true
  readonly name: string
  readonly className: string
  readonly message: string
  readonly stack: string | undefined
  readonly props: Record<string, unknown>
  readonly cause: SerializedError | { isError: false; value: unknown } | undefined
}

/** A thrown value that is not an `Error`, sent as is. @internal */
export interface ThrownValue {
  readonly isError: false
  readonly value: unknown
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value)
    return true
  } catch {
    return false
  }
}

/** Flattens anything thrown into data that survives `postMessage`. @internal */
export function serializeError(error: unknown, depth = 0): SerializedError | ThrownValue {
  if (!(error instanceof Error)) {
    return { isError: false, value: cloneable(error) ? error : String(error) }
  }
  const props: Record<string, unknown> = {}
  for (const key of Object.keys(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue
    const v = (error as unknown as Record<string, unknown>)[key]
    props[key] = cloneable(v) ? v : String(v)
  }
  const cause: unknown = error.cause
  return {
    isError: true,
    name: error.name,
    className: error.constructor.name,
    message: error.message,
    stack: error.stack,
    props,
    cause: cause === undefined || depth > 8 ? undefined : serializeError(cause, depth + 1),
  }
}

const BUILTIN: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
}

/**
 * Rebuilds a thrown value. Built-in error classes come back as themselves; other classes as an
 * `Error` whose `name` is the original class name, with the original message, stack, own
 * properties and cause (a class cannot cross: only its name can).
 * @internal
 */
export function deserializeError(data: SerializedError | ThrownValue): unknown {
  if (!data.isError) return data.value
  const Ctor = BUILTIN[data.className] ?? Error
  const error = new Ctor(data.message)
  Object.defineProperty(error, 'name', {
    value: data.name === 'Error' && data.className !== 'Error' ? data.className : data.name,
    writable: true,
    configurable: true,
    enumerable: false,
  })
  if (data.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true })
  }
  Object.assign(error, data.props)
  if (data.cause !== undefined) {
    Object.defineProperty(error, 'cause', {
      value: deserializeError(data.cause),
      writable: true,
      configurable: true,
    })
  }
  return error
}
