/**
 * Reading the dead-letter bucket of a distributed executor: the jobs that failed for good and the
 * messages on the job subject that were not jobs, as an operator lists them.
 *
 * @module
 */
import type { KV } from '@nats-io/kv'
import { type Codec, noRefs } from './codec.js'
import type { DeadJob } from './job-options.js'
import type { DeadRecord } from './job-wire.js'

/** Every record, oldest first. @internal */
export async function listDead(dead: KV, codec: Codec): Promise<DeadJob[]> {
  const out: DeadJob[] = []
  for await (const key of await dead.keys()) {
    const record = await readDead(dead, codec, key)
    if (record === undefined) continue
    out.push({
      key,
      ...(record.job !== undefined && { task: { moduleUrl: record.job.m, exportName: record.job.e } }),
      reason: record.reason,
      ...(record.error !== undefined && { error: record.error }),
      attempts: record.attempts,
      at: record.at,
      worker: record.w,
    })
  }
  return out.sort((a, b) => a.at - b.at)
}

/** The record under `key`, if there is one that can be read. @internal */
export async function readDead(dead: KV, codec: Codec, key: string): Promise<DeadRecord | undefined> {
  const entry = await dead.get(key)
  if (entry === null || entry.operation !== 'PUT') return undefined
  try {
    return codec.decode(entry.value, noRefs) as DeadRecord
  } catch {
    return undefined
  }
}
