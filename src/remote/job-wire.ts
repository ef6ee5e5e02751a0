/**
 * What a distributed job and its result look like on the wire: one codec-encoded object each.
 *
 * A job names its function as the local pools do (module URL and export name), so the worker runs
 * it from its own copy of the module; arguments and results go through the codec, so a `Date` or
 * a `Map` arrives as one. Refs cannot travel in a job: it may run after every actor that sent it
 * is gone.
 *
 * @module
 */
import { CodecError, type Codec, noRefs } from './codec.js'

/** A job as it is published. @internal */
export interface JobMessage {
  readonly v: 1
  /** The job id (also the message's `Nats-Msg-Id`). */
  readonly id: string
  /** Module URL and export name of the function. */
  readonly m: string
  readonly e: string
  readonly a: readonly unknown[]
  /** Where the result goes. */
  readonly to: string
  /** Attempts it may have in all. */
  readonly max: number
  /** Delay before each retry, in ms, the last repeated. */
  readonly bo: readonly number[]
  /** Run time limit in ms of each attempt; 0 for none. */
  readonly t: number
  /** A chunk of a `map`: `a[0]` holds the items, and the result is the array of their results. */
  readonly c?: 1
  /** Keep the result in the results bucket even when its submitter takes it (a job id given at `submit`). */
  readonly k?: 1
  /** Not started by then (epoch ms, the submitter's clock), it never starts: its queue timeout. */
  readonly qd?: number
  /** A cancelled or timed-out attempt still running this many ms later has its pool worker killed. */
  readonly ka?: number
}

/** A job's end as it is reported to its submitter, or (for a job with a queue timeout) its start. @internal */
export type ResultMessage =
  | {
      readonly v: 1
      readonly id: string
      readonly started: true
      readonly n: number
      readonly w: string
    }
  | {
      readonly v: 1
      readonly id: string
      readonly ok: true
      readonly value: unknown
      readonly n: number
      readonly w: string
      /** The attempt's time on its worker, in µs. */
      readonly rt?: number
    }
  | {
      readonly v: 1
      readonly id: string
      readonly ok: false
      readonly error: unknown
      readonly n: number
      readonly w: string
      readonly final: boolean
      /** The job was cancelled (kept by its submitter as the job's end). */
      readonly cancelled?: boolean
      /** It left a dead-letter record. */
      readonly dl?: 1
      /** It was not started within its queue timeout (`error` is the `TimeoutError`). */
      readonly q?: 1
    }

/** A dead-letter record: the job as it was published (or the raw bytes of a non-job) and why. @internal */
export interface DeadRecord {
  readonly v: 1
  /** The job, if the message was one. */
  readonly job?: JobMessage
  /** The message's bytes, when it was not a job. */
  readonly raw?: Uint8Array
  readonly reason: string
  readonly error?: unknown
  readonly attempts: number
  /** When it was dead-lettered (epoch ms). */
  readonly at: number
  /** The worker that dead-lettered it. */
  readonly w: string
}

/**
 * The bytes of a job. A value the codec cannot send is reported by the argument it is in: its
 * index and what it is. @internal
 */
export function encodeJob(codec: Codec, job: JobMessage, name: string): Uint8Array {
  try {
    return codec.encode(job, noRefs)
  } catch (err) {
    const path = err instanceof CodecError ? (err.path ?? '') : ''
    const m = /^msg\.a\[(\d+)\]/.exec(path)
    if (m !== null) {
      const i = Number(m[1])
      throw new TypeError(
        `argument ${String(i)} of job ${name} cannot be sent (${typeName(job.a[i])}): ${(err as Error).message}`,
        { cause: err },
      )
    }
    throw err
  }
}

/** A job read back; throws naming what is wrong with it. @internal */
export function decodeJob(codec: Codec, bytes: Uint8Array): JobMessage {
  const job = codec.decode(bytes, noRefs) as Partial<JobMessage> | null
  if (
    typeof job !== 'object' ||
    job === null ||
    job.v !== 1 ||
    typeof job.id !== 'string' ||
    typeof job.m !== 'string' ||
    typeof job.e !== 'string' ||
    !Array.isArray(job.a) ||
    typeof job.to !== 'string' ||
    !Number.isInteger(job.max) ||
    !Array.isArray(job.bo) ||
    typeof job.t !== 'number' ||
    (job.qd !== undefined && typeof job.qd !== 'number') ||
    (job.ka !== undefined && typeof job.ka !== 'number')
  ) {
    throw new Error('not a job message')
  }
  return job as JobMessage
}

/** A result read back; throws naming what is wrong with it. @internal */
export function decodeResult(codec: Codec, bytes: Uint8Array): ResultMessage {
  const r = codec.decode(bytes, noRefs) as Partial<{
    v: number
    id: string
    ok: boolean
    started: boolean
  }> | null
  if (
    typeof r !== 'object' ||
    r === null ||
    r.v !== 1 ||
    typeof r.id !== 'string' ||
    (typeof r.ok !== 'boolean' && r.started !== true)
  ) {
    throw new Error('not a job result')
  }
  return r as ResultMessage
}

function typeName(v: unknown): string {
  if (typeof v === 'object' && v !== null) return v.constructor?.name ?? 'object'
  return typeof v
}
