/**
 * The JetStream objects of a distributed executor: one work-queue stream per executor name, one
 * shared durable pull consumer all its workers pull from, and the subjects around them.
 *
 * A work-queue stream removes a job when it is acknowledged, so a job is in the stream exactly
 * while it is queued or running. The consumer's `ack_wait` is the lease: a worker that stops
 * renewing it (it died) loses the job, which the server then delivers to another worker. The
 * consumer never gives up by itself (`max_deliver` -1): on nats-server 2.9 a message that reaches
 * `max_deliver` stays in the stream and only an advisory says so, so attempts are counted by the
 * workers, which fail a job for good once it has had its attempts.
 *
 * Everything here is on nats-server 2.9: no per-message TTL, no priority groups, one filter per
 * consumer. All JetStream durations are nanoseconds.
 *
 * @module
 */
import { AckPolicy, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { type KV, Kvm } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import { escapeToken } from './subjects.js'

/** The names of one distributed executor's stream, consumer and subjects. @internal */
export interface JobNames {
  readonly stream: string
  readonly consumer: string
  /** Where jobs are published. */
  readonly jobs: string
  /** Where the results for submitter `id` go. */
  result(id: string): string
  /** What a submitter subscribes to for its results. */
  resultsOf(id: string): string
  /** Cancellations of running jobs, heard by every worker. */
  readonly cancel: string
  /** Where each worker reports itself every second. */
  readonly workers: string
  /** The KV bucket that keeps each job's final result for a while, by job id. */
  readonly results: string
  /** The KV bucket of jobs that failed for good, and of messages that were not jobs. */
  readonly dead: string
}

/** The names for the executor called `name`. @internal */
export function jobNames(name: string): JobNames {
  const token = escapeToken(name)
  const prefix = `verdant.jobs.${token}`
  return {
    stream: `VERDANT_JOBS_${token}`,
    consumer: 'workers',
    jobs: `${prefix}.run`,
    result: (id) => `${prefix}.result.${id}`,
    resultsOf: (id) => `${prefix}.result.${id}`,
    cancel: `${prefix}.cancel`,
    workers: `${prefix}.workers`,
    results: `VERDANT_RESULTS_${token}`,
    dead: `VERDANT_DEAD_${token}`,
  }
}

/** Stream and consumer settings a submitter and a worker agree on. @internal */
export interface StreamSettings {
  /** The lease of a running job, in ms: renewed while it runs, lost when its worker dies. */
  readonly leaseMs: number
  /** How long a resubmitted job id is recognised as the same job, in ms. */
  readonly dedupWindowMs: number
  /** How long a job's final result is kept for `getResult`, in ms. */
  readonly resultTtlMs: number
}

/**
 * The results bucket, made if it does not exist. Its TTL is the bucket's `max_age`, which
 * nats-server 2.9 honours (expired entries just vanish; nothing here watches for them).
 * @internal
 */
export function openResults(nc: NatsConnection, names: JobNames, settings: StreamSettings): Promise<KV> {
  return new Kvm(nc).create(names.results, { ttl: settings.resultTtlMs })
}

/** The dead-letter bucket: kept until an operator requeues or drops a record. @internal */
export function openDead(nc: NatsConnection, names: JobNames): Promise<KV> {
  return new Kvm(nc).create(names.dead)
}

const NS = 1_000_000

/**
 * Makes the stream and the consumer if they do not exist (both sides call it, whichever starts
 * first); existing ones are used as they are.
 * @internal
 */
export async function ensureStream(
  jsm: JetStreamManager,
  names: JobNames,
  settings: StreamSettings,
): Promise<void> {
  try {
    await jsm.streams.info(names.stream)
  } catch {
    await jsm.streams
      .add({
        name: names.stream,
        subjects: [names.jobs],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: settings.dedupWindowMs * NS,
      })
      .catch(async (err: unknown) => {
        // Made by another process meanwhile.
        await jsm.streams.info(names.stream).catch(() => {
          throw err
        })
      })
  }
  try {
    await jsm.consumers.info(names.stream, names.consumer)
  } catch {
    await jsm.consumers
      .add(names.stream, {
        durable_name: names.consumer,
        ack_policy: AckPolicy.Explicit,
        ack_wait: settings.leaseMs * NS,
        max_deliver: -1,
        filter_subject: names.jobs,
      })
      .catch(async (err: unknown) => {
        await jsm.consumers.info(names.stream, names.consumer).catch(() => {
          throw err
        })
      })
  }
}
