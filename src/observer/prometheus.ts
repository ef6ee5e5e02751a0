/**
 * The observer's snapshot in the Prometheus text exposition format 0.0.4, as `GET /metrics` serves
 * it, so the numbers the page shows can also be scraped, graphed and alerted on without a client
 * library in the program.
 *
 * A pure function of one snapshot: it keeps no state between scrapes, so it can be tested with a
 * snapshot built by hand, and the observer owns when snapshots are taken. Units follow Prometheus
 * (seconds and bytes, not the snapshot's ms), counters end in `_total`, and a family with no
 * samples (no actor system, no executor) is left out, as client libraries do.
 *
 * Left out on purpose: per-actor numbers (a series per actor path would grow with the program's
 * actors, and the messages-per-second rate is for Prometheus to compute with `rate()`, not to
 * scrape), and debug mode's slow steps (the page lists the last ones; how many are listed now
 * says nothing over time). The per-system totals stay.
 *
 * @module
 */

import type { ExecutorInfo, ObserverSnapshot, PoolInfo, QueueInfo } from './snapshot-types.js'

/**
 * The `Content-Type` of what {@link renderMetrics} returns: Prometheus picks its parser from it, and
 * without the version it may expect OpenMetrics.
 *
 * @since 0.3.0
 */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Labels = readonly (readonly [name: string, value: string])[]

interface Sample {
  readonly labels: Labels
  readonly value: string
}

interface Family {
  readonly name: string
  readonly type: 'gauge' | 'counter'
  readonly help: string
  readonly samples: readonly Sample[]
}

/** Past this many digits of leading or trailing zeros a plain decimal is harder to read than `1e-25`. */
const MAX_PLAIN_ZEROS = 21

/**
 * A sample value. `shift` moves the decimal point (-3: ms to seconds) on the decimal digits of the
 * number rather than by dividing, so 12.5 ms is `0.0125` and 1e-7 ms is `0.0000000001`, never the
 * `9.999999999999999e-11` that `1e-7 / 1000` gives.
 */
function formatNumber(value: number, shift = 0): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  // Also catches -0, which would otherwise print as `-0` and read as a sign flip on a graph.
  if (value === 0) return '0'
  // String() gives the shortest digits that read back as the same double: `d.ddd`, or `d.ddde±n`.
  const [mantissa = '', exponent = '0'] = String(Math.abs(value)).split('e')
  const [whole = '', fraction = ''] = mantissa.split('.')
  let digits = whole + fraction
  // The value is 0.<digits> × 10^point.
  let point = whole.length + Number(exponent) + shift
  const leading = /^0*/.exec(digits)?.[0].length ?? 0
  digits = digits.slice(leading).replace(/0+$/, '')
  point -= leading
  const sign = value < 0 ? '-' : ''
  let text: string
  if (point <= 0 && -point <= MAX_PLAIN_ZEROS) {
    text = `0.${'0'.repeat(-point)}${digits}`
  } else if (point > 0 && point < digits.length) {
    text = `${digits.slice(0, point)}.${digits.slice(point)}`
  } else if (point >= digits.length && point - digits.length <= MAX_PLAIN_ZEROS) {
    text = digits + '0'.repeat(point - digits.length)
  } else {
    const rest = digits.slice(1)
    text = `${digits.slice(0, 1)}${rest === '' ? '' : `.${rest}`}e${point - 1}`
  }
  return sign + text
}

/** The exposition format's escapes for a label value; any other character, `\r` included, is literal. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** HELP text escapes only backslash and newline: a quote there is literal. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function renderFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`]
  for (const sample of family.samples) {
    const labels = sample.labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')
    lines.push(`${family.name}${labels === '' ? '' : `{${labels}}`} ${sample.value}`)
  }
  return lines.join('\n')
}

/** A sample with no labels. */
function single(value: number, shift = 0): Sample[] {
  return [{ labels: [], value: formatNumber(value, shift) }]
}

/**
 * One row per (name, kind). Nothing makes executor names unique (a pool's name defaults to its
 * kind), and two samples with the same labels would make Prometheus drop the scrape's duplicates,
 * so rows that collide are merged: sizes and counts add up, and of the run-time quantiles the
 * larger is kept, since quantiles of two pools cannot be combined and the larger errs on the side of
 * an alert firing.
 */
function mergeExecutors(executors: readonly ExecutorInfo[]): ExecutorInfo[] {
  return mergeBy(
    executors,
    (e) => JSON.stringify([e.name, e.kind]),
    (a, e) => ({
      ...a,
      size: a.size + e.size,
      busy: a.busy + e.busy,
      queued: a.queued + e.queued,
      completed: a.completed + e.completed,
      failed: a.failed + e.failed,
      crashes: a.crashes + e.crashes,
      runMs: { p50: Math.max(a.runMs.p50, e.runMs.p50), p99: Math.max(a.runMs.p99, e.runMs.p99) },
    }),
  )
}

/** Actor systems by name, merged for the same reason as executors (a system's name defaults to `verdant`). */
function mergeSystems(
  systems: ObserverSnapshot['actorSystems'],
): { name: string; actors: number; mailboxes: number; deadLetters: number }[] {
  return mergeBy(
    systems.map((s) => ({
      name: s.name,
      actors: s.actors,
      mailboxes: s.mailboxes,
      deadLetters: s.deadLetters,
    })),
    (s) => s.name,
    (a, s) => ({
      name: a.name,
      actors: a.actors + s.actors,
      mailboxes: a.mailboxes + s.mailboxes,
      deadLetters: a.deadLetters + s.deadLetters,
    }),
  )
}

/**
 * Task pools by name, merged for the same reason: sizes and counts add up (an unbounded pool making
 * the size `+Inf`).
 */
function mergePools(pools: readonly PoolInfo[]): PoolInfo[] {
  return mergeBy(
    pools,
    (p) => p.name,
    (a, p) => ({
      name: a.name,
      size: a.size + p.size,
      running: a.running + p.running,
      waiting: a.waiting + p.waiting,
      completed: a.completed + p.completed,
      failed: a.failed + p.failed,
      cancelled: a.cancelled + p.cancelled,
    }),
  )
}

/**
 * Queues by name, merged for the same reason: sizes and waiters add up, and so do the bounds, an
 * unbounded one making the sum unbounded (and so left out).
 */
function mergeQueues(queues: readonly QueueInfo[]): QueueInfo[] {
  return mergeBy(
    queues,
    (q) => q.name,
    (a, q) => ({
      ...a,
      size: a.size + q.size,
      maxsize: a.maxsize + q.maxsize,
      getters: a.getters + q.getters,
      putters: a.putters + q.putters,
    }),
  )
}

/** `items` with those of one key combined into one, in the order each key first came. */
function mergeBy<T>(items: readonly T[], key: (t: T) => string, combine: (a: T, b: T) => T): T[] {
  const byKey = new Map<string, T>()
  for (const t of items) {
    const k = key(t)
    const seen = byKey.get(k)
    byKey.set(k, seen === undefined ? t : combine(seen, t))
  }
  return [...byKey.values()]
}

interface MemberSample {
  readonly cluster: string
  readonly member: string
  readonly status: string
  ageMs: number
}

/**
 * Each member of each cluster once per (cluster, member, status): two nodes of one cluster in the
 * same process both list its members, and a member heard by either was heard that recently, so the
 * smaller age is kept.
 */
function clusterMembers(clusters: ObserverSnapshot['clusters']): MemberSample[] {
  const byKey = new Map<string, MemberSample>()
  for (const c of clusters) {
    for (const m of c.members) {
      const key = JSON.stringify([c.name, m.id, m.status])
      const seen = byKey.get(key)
      if (seen === undefined) {
        byKey.set(key, { cluster: c.name, member: m.id, status: m.status, ageMs: m.heartbeatAgeMs })
      } else seen.ageMs = Math.min(seen.ageMs, m.heartbeatAgeMs)
    }
  }
  return [...byKey.values()]
}

/**
 * Renders a snapshot as the Prometheus text exposition format 0.0.4, the body of `GET /metrics`
 * (served with {@link METRICS_CONTENT_TYPE}).
 *
 * Durations are in seconds and sizes in bytes. Quantiles are gauges with a `quantile` label rather
 * than summaries: the snapshot has no `_sum` or `_count` to go with them, and the event-loop ones
 * cover only the time since the previous snapshot. The event loop's maximum is its `quantile="1"`.
 * Families with no samples are left out; the process and task families are always there. A queue's
 * `maxsize` is written only when it is bounded; an unbounded task pool's size is `+Inf`.
 *
 * @example
 * ```ts
 * response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(renderMetrics(snapshot))
 * ```
 *
 * @param s - The snapshot to render.
 * @returns The exposition text, ending with a newline.
 * @since 0.3.0
 */
export function renderMetrics(s: ObserverSnapshot): string {
  const MS = -3
  const { process: p, tasks } = s
  const systems = mergeSystems(s.actorSystems)
  const executors = mergeExecutors(s.executors)
  const perSystem = (pick: (x: (typeof systems)[number]) => number): Sample[] =>
    systems.map((x) => ({ labels: [['system', x.name]], value: formatNumber(pick(x)) }))
  const executorLabels = (e: ExecutorInfo): Labels => [
    ['executor', e.name],
    ['kind', e.kind],
  ]
  const perExecutor = (pick: (e: ExecutorInfo) => number): Sample[] =>
    executors.map((e) => ({ labels: executorLabels(e), value: formatNumber(pick(e)) }))
  const pools = mergePools(s.pools)
  const perPool = (pick: (x: PoolInfo) => number): Sample[] =>
    pools.map((x) => ({ labels: [['pool', x.name]], value: formatNumber(pick(x)) }))
  const queues = mergeQueues(s.queues)
  const perQueue = (pick: (q: QueueInfo) => number, of: readonly QueueInfo[] = queues): Sample[] =>
    of.map((q) => ({ labels: [['queue', q.name]], value: formatNumber(pick(q)) }))

  const families: Family[] = [
    {
      name: 'verdant_process_event_loop_delay_seconds',
      type: 'gauge',
      help: 'Event-loop delay since the previous snapshot, by quantile (quantile 1 is the maximum).',
      samples: (
        [
          ['0.5', p.loopDelayMs.p50],
          ['0.99', p.loopDelayMs.p99],
          ['1', p.loopDelayMs.max],
        ] as const
      ).map(([q, ms]) => ({ labels: [['quantile', q]], value: formatNumber(ms, MS) })),
    },
    {
      name: 'verdant_process_heap_used_bytes',
      type: 'gauge',
      help: 'V8 heap in use.',
      samples: single(p.heapUsedBytes),
    },
    {
      name: 'verdant_process_resident_memory_bytes',
      type: 'gauge',
      help: 'Resident set size of the process.',
      samples: single(p.rssBytes),
    },
    {
      name: 'verdant_process_uptime_seconds',
      type: 'gauge',
      help: 'Time since the process started.',
      samples: single(p.uptimeMs, MS),
    },
    { name: 'verdant_tasks_live', type: 'gauge', help: 'Live tasks.', samples: single(tasks.live) },
    {
      name: 'verdant_tasks_failed_total',
      type: 'counter',
      help: 'Tasks that ended failed since the process started.',
      samples: single(tasks.failed),
    },
    {
      name: 'verdant_tasks_cancelled_total',
      type: 'counter',
      help: 'Tasks that ended cancelled since the process started.',
      samples: single(tasks.cancelled),
    },
    {
      name: 'verdant_actors_live',
      type: 'gauge',
      help: 'Live actors, by actor system.',
      samples: perSystem((x) => x.actors),
    },
    {
      name: 'verdant_actor_mailbox_messages',
      type: 'gauge',
      help: 'Messages waiting in all mailboxes of an actor system.',
      samples: perSystem((x) => x.mailboxes),
    },
    {
      name: 'verdant_actor_dead_letters_total',
      type: 'counter',
      help: 'Dead letters since the actor system started.',
      samples: perSystem((x) => x.deadLetters),
    },
    {
      name: 'verdant_executor_workers',
      type: 'gauge',
      help: 'Workers of an executor.',
      samples: perExecutor((e) => e.size),
    },
    {
      name: 'verdant_executor_workers_busy',
      type: 'gauge',
      help: 'Workers of an executor running a job.',
      samples: perExecutor((e) => e.busy),
    },
    {
      name: 'verdant_executor_jobs_queued',
      type: 'gauge',
      help: 'Jobs waiting for a worker.',
      samples: perExecutor((e) => e.queued),
    },
    {
      name: 'verdant_executor_jobs_completed_total',
      type: 'counter',
      help: 'Jobs an executor completed.',
      samples: perExecutor((e) => e.completed),
    },
    {
      name: 'verdant_executor_jobs_failed_total',
      type: 'counter',
      help: 'Jobs an executor ran that failed.',
      samples: perExecutor((e) => e.failed),
    },
    {
      name: 'verdant_executor_worker_crashes_total',
      type: 'counter',
      help: 'Workers of an executor that crashed.',
      samples: perExecutor((e) => e.crashes),
    },
    {
      name: 'verdant_executor_job_run_seconds',
      type: 'gauge',
      help: 'Run time of an executor job, by quantile.',
      samples: executors.flatMap((e) =>
        (
          [
            ['0.5', e.runMs.p50],
            ['0.99', e.runMs.p99],
          ] as const
        ).map(([q, ms]) => ({
          labels: [...executorLabels(e), ['quantile', q] as const],
          value: formatNumber(ms, MS),
        })),
      ),
    },
    {
      name: 'verdant_pool_size',
      type: 'gauge',
      help: 'Tasks a named task pool runs at once at most (+Inf for an unbounded one).',
      samples: perPool((x) => x.size),
    },
    {
      name: 'verdant_pool_tasks_running',
      type: 'gauge',
      help: 'Tasks of a named task pool holding a slot.',
      samples: perPool((x) => x.running),
    },
    {
      name: 'verdant_pool_tasks_waiting',
      type: 'gauge',
      help: 'Tasks of a named task pool waiting for a slot.',
      samples: perPool((x) => x.waiting),
    },
    {
      name: 'verdant_pool_tasks_completed_total',
      type: 'counter',
      help: 'Tasks of a named task pool that completed since it was made.',
      samples: perPool((x) => x.completed),
    },
    {
      name: 'verdant_pool_tasks_failed_total',
      type: 'counter',
      help: 'Tasks of a named task pool that failed since it was made.',
      samples: perPool((x) => x.failed),
    },
    {
      name: 'verdant_pool_tasks_cancelled_total',
      type: 'counter',
      help: 'Tasks of a named task pool that were cancelled since it was made.',
      samples: perPool((x) => x.cancelled),
    },
    {
      name: 'verdant_queue_size',
      type: 'gauge',
      help: 'Items in a named queue.',
      samples: perQueue((q) => q.size),
    },
    {
      name: 'verdant_queue_maxsize',
      type: 'gauge',
      help: 'Capacity of a named bounded queue (an unbounded queue has no sample).',
      samples: perQueue(
        (q) => q.maxsize,
        queues.filter((q) => Number.isFinite(q.maxsize)),
      ),
    },
    {
      name: 'verdant_queue_getters',
      type: 'gauge',
      help: 'Tasks waiting to get from a named queue.',
      samples: perQueue((q) => q.getters),
    },
    {
      name: 'verdant_queue_putters',
      type: 'gauge',
      help: 'Tasks waiting to put into a named queue.',
      samples: perQueue((q) => q.putters),
    },
    {
      name: 'verdant_cluster_member_heartbeat_age_seconds',
      type: 'gauge',
      help: 'Time since a cluster member was last heard from by this process (0 for its own node).',
      samples: clusterMembers(s.clusters).map((m) => ({
        labels: [
          ['cluster', m.cluster],
          ['member', m.member],
          ['status', m.status],
        ],
        value: formatNumber(m.ageMs, MS),
      })),
    },
  ]
  return `${families
    .filter((f) => f.samples.length > 0)
    .map(renderFamily)
    .join('\n')}\n`
}
