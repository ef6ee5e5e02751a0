// renderMetrics: the observer's snapshot as Prometheus text format 0.0.4, read back with a strict
// line parser written here, so a malformed line fails the test rather than a real scrape.
import { describe, expect, it } from 'vitest'
import { METRICS_CONTENT_TYPE, renderMetrics } from '../../src/observer/prometheus.js'
import type {
  ActorRow,
  ExecutorInfo,
  ObserverSnapshot,
  PoolInfo,
  QueueInfo,
} from '../../src/observer/snapshot-types.js'

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*'
// Inside a label value: anything but a quote, backslash or newline, or one of the three escapes.
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"'
const LABEL = `${LABEL_NAME}=${LABEL_VALUE}`
// Go's ParseFloat as Prometheus reads a value, less the hex forms the renderer never writes.
const VALUE = '(?:NaN|[+-]Inf|[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)'
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`)
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`)
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`)

interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: string
}

function unescapeLabelValue(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
}

/** One sample line, or a thrown error naming the line: every non-comment line must parse. */
function parseSample(line: string): Sample {
  const match = SAMPLE.exec(line)
  if (match === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`)
  const [, name = '', body = '', value = ''] = match
  const labels: Record<string, string> = {}
  for (const m of body.matchAll(new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g'))) {
    const [, key = '', quoted = ''] = m
    expect(labels, `label ${key} twice in ${line}`).not.toHaveProperty(key)
    labels[key] = unescapeLabelValue(quoted)
  }
  return { name, labels, value }
}

interface Family {
  readonly name: string
  readonly help: string
  readonly type: string
  readonly samples: Sample[]
}

/**
 * The whole text, checked as it is read: HELP then TYPE opening each family, its samples right after
 * and named after it, no family twice, no series twice.
 */
function parse(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  const families = new Map<string, Family>()
  const series = new Set<string>()
  let current: Family | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line.startsWith('#')) {
      const help = HELP.exec(line)
      const type = TYPE.exec(lines[i + 1] ?? '')
      if (help === null || type === null) throw new Error(`expected HELP then TYPE at line ${i + 1}: ${line}`)
      const name = help[1] ?? ''
      expect(type[1], `TYPE after HELP of ${name}`).toBe(name)
      expect(families.has(name), `family ${name} opened twice`).toBe(false)
      current = { name, help: help[2] ?? '', type: type[2] ?? '', samples: [] }
      families.set(name, current)
      i++
      continue
    }
    const sample = parseSample(line)
    // Gauges and counters have no suffixed samples: a sample named otherwise left its family.
    expect(sample.name, `sample outside its family at line ${i + 1}`).toBe(current?.name)
    const key = JSON.stringify([sample.name, Object.entries(sample.labels).sort()])
    expect(series.has(key), `series twice: ${line}`).toBe(false)
    series.add(key)
    current?.samples.push(sample)
  }
  for (const family of families.values()) {
    expect(family.samples.length, `family ${family.name} without samples`).toBeGreaterThan(0)
  }
  return families
}

function family(families: Map<string, Family>, name: string): Family {
  const f = families.get(name)
  if (f === undefined) throw new Error(`no family ${name}; have ${[...families.keys()].join(', ')}`)
  return f
}

/** The value of the one sample whose labels include `labels`. */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): string {
  const found = family(families, name).samples.filter((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1)
  return found[0]?.value ?? ''
}

const WEIRD = 'a"b\\c\nd'

function executor(over: Partial<ExecutorInfo> & Pick<ExecutorInfo, 'name' | 'kind'>): ExecutorInfo {
  return {
    size: 4,
    busy: 1,
    queued: 0,
    completed: 0,
    failed: 0,
    crashes: 0,
    runMs: { p50: 0, p99: 0 },
    utilization: [],
    ...over,
  }
}

function actor(over: Partial<ActorRow> & Pick<ActorRow, 'path'>): ActorRow {
  return {
    status: 'running',
    mailbox: 0,
    handledPerSec: 0,
    restarts: 0,
    lastFailure: undefined,
    stash: 0,
    children: 0,
    ...over,
  }
}

function pool(over: Partial<PoolInfo> & Pick<PoolInfo, 'name'>): PoolInfo {
  return { size: 4, running: 0, waiting: 0, completed: 0, failed: 0, cancelled: 0, ...over }
}

function queue(over: Partial<QueueInfo> & Pick<QueueInfo, 'name'>): QueueInfo {
  return { kind: 'Queue', size: 0, maxsize: Infinity, getters: 0, putters: 0, ...over }
}

const snapshot: ObserverSnapshot = {
  v: 1,
  at: 1_700_000_000_000,
  tookMs: 0.4,
  process: {
    pid: 4242,
    node: 'v20.11.0',
    uptimeMs: 3_600_500,
    loopDelayMs: { p50: 12.5, p99: 40.25, max: 1e-7 },
    heapUsedBytes: 52_428_800,
    rssBytes: 134_217_728,
  },
  tasks: {
    live: 17,
    failed: 3,
    cancelled: 5,
    rows: [
      {
        id: 1,
        name: 'main',
        state: 'running',
        ageMs: 10,
        parent: undefined,
        children: 2,
        waitsOn: 'its children (2)',
      },
    ],
  },
  actorSystems: [
    {
      name: 'app',
      actors: 12,
      mailboxes: 30,
      deadLetters: 2,
      deadLettersPerSec: 0,
      lastDeadLetters: [{ at: 1, recipient: '/user/x', reason: 'stopped', message: 'Ping' }],
      rows: [
        actor({
          path: '/user/x',
          mailbox: 30,
          handledPerSec: 812.5,
          restarts: 4,
          lastFailure: { at: 1_700_000_000_000, error: 'Error: boom' },
          stash: 6,
        }),
      ],
    },
    {
      name: 'back\\slash',
      actors: 1,
      mailboxes: 0,
      deadLetters: 0,
      deadLettersPerSec: 0,
      lastDeadLetters: [],
      rows: [],
    },
  ],
  executors: [
    executor({
      name: 'render',
      kind: 'threads',
      size: 8,
      busy: 3,
      queued: 7,
      completed: 1234,
      failed: 2,
      crashes: 1,
      runMs: { p50: 1.5, p99: 250 },
      utilization: [0.5, 1],
    }),
    executor({ name: WEIRD, kind: 'processes', completed: 2 ** 53, runMs: { p50: NaN, p99: Infinity } }),
  ],
  pools: [
    pool({ name: 'crawlers', size: 4, running: 4, waiting: 12, completed: 310, failed: 6, cancelled: 2 }),
    pool({ name: WEIRD, size: Infinity, running: 1, completed: 2 ** 53 }),
  ],
  queues: [
    queue({ name: 'jobs', size: 7, maxsize: 10, getters: 0, putters: 2 }),
    queue({ name: WEIRD, kind: 'PriorityQueue', size: 3, getters: 1 }),
  ],
  slowSteps: [
    { at: 1_700_000_000_000, ms: 81.5, task: undefined, actor: '/user/x', message: 'Ping' },
    { at: 1_699_999_999_000, ms: 120, task: 'ingest', actor: undefined, message: undefined },
  ],
  clusters: [
    {
      name: 'prod',
      node: 'node-a',
      members: [
        { id: 'node-a', status: 'up', heartbeatAgeMs: 0 },
        { id: 'node-b', status: 'up', heartbeatAgeMs: 1250 },
        { id: 'node-c', status: 'unreachable', heartbeatAgeMs: 9000 },
      ],
    },
  ],
}

const empty: ObserverSnapshot = {
  v: 1,
  at: 0,
  tookMs: 0,
  process: {
    pid: 1,
    node: 'v20.0.0',
    uptimeMs: 0,
    loopDelayMs: { p50: 0, p99: 0, max: 0 },
    heapUsedBytes: 0,
    rssBytes: 0,
  },
  tasks: { live: 0, failed: 0, cancelled: 0, rows: [] },
  actorSystems: [],
  executors: [],
  pools: [],
  queues: [],
  slowSteps: [],
  clusters: [],
}

describe('renderMetrics', () => {
  it('is served as text format 0.0.4', () => {
    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8')
  })

  it('writes only lines of the exposition grammar, one HELP and TYPE per contiguous family', () => {
    const text = renderMetrics(snapshot)
    const families = parse(text)
    expect(text).not.toMatch(/\n\n/)
    for (const f of families.values()) {
      expect(f.name).toMatch(/^verdant_/)
      expect(f.help).not.toBe('')
      expect(['gauge', 'counter']).toContain(f.type)
      // Counters, and only counters, end in _total; units are base units.
      expect(f.name.endsWith('_total'), f.name).toBe(f.type === 'counter')
      expect(f.name).not.toMatch(/_(ms|milliseconds|kb|mb)(_|$)/)
    }
  })

  it('parses its own line grammar strictly', () => {
    // The parser must be able to fail, or the test above proves nothing.
    expect(() => parseSample('verdant_x{a="b"} 1')).not.toThrow()
    expect(() => parseSample('verdant_x{a="b\\"c"} 1')).not.toThrow()
    expect(() => parseSample('verdant_x{a="b"c"} 1')).toThrow()
    expect(() => parseSample('verdant_x{a="b\\c"} 1')).toThrow()
    expect(() => parseSample('verdant_x{a="b"} 1e')).toThrow()
    expect(() => parseSample('verdant_x{a="b"} Infinity')).toThrow()
    expect(() => parseSample('verdant-x 1')).toThrow()
    expect(() => parse('# HELP verdant_x x\nverdant_x 1\n')).toThrow()
    expect(() => parse('# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na 2\n')).toThrow()
  })

  it('converts the process numbers to seconds and bytes', () => {
    const f = parse(renderMetrics(snapshot))
    expect(value(f, 'verdant_process_event_loop_delay_seconds', { quantile: '0.5' })).toBe('0.0125')
    expect(value(f, 'verdant_process_event_loop_delay_seconds', { quantile: '0.99' })).toBe('0.04025')
    // 1e-7 / 1000 is 9.999999999999999e-11 in floating point; the renderer shifts decimal digits.
    expect(value(f, 'verdant_process_event_loop_delay_seconds', { quantile: '1' })).toBe('0.0000000001')
    expect(family(f, 'verdant_process_event_loop_delay_seconds').samples).toHaveLength(3)
    expect(value(f, 'verdant_process_heap_used_bytes')).toBe('52428800')
    expect(value(f, 'verdant_process_resident_memory_bytes')).toBe('134217728')
    expect(value(f, 'verdant_process_uptime_seconds')).toBe('3600.5')
  })

  it('writes task counts, with the counters as counters', () => {
    const f = parse(renderMetrics(snapshot))
    expect(value(f, 'verdant_tasks_live')).toBe('17')
    expect(family(f, 'verdant_tasks_live').type).toBe('gauge')
    expect(value(f, 'verdant_tasks_failed_total')).toBe('3')
    expect(family(f, 'verdant_tasks_failed_total').type).toBe('counter')
    expect(value(f, 'verdant_tasks_cancelled_total')).toBe('5')
    expect(family(f, 'verdant_tasks_cancelled_total').type).toBe('counter')
  })

  it('writes one series per actor system', () => {
    const f = parse(renderMetrics(snapshot))
    expect(value(f, 'verdant_actors_live', { system: 'app' })).toBe('12')
    expect(value(f, 'verdant_actor_mailbox_messages', { system: 'app' })).toBe('30')
    expect(value(f, 'verdant_actor_dead_letters_total', { system: 'app' })).toBe('2')
    expect(family(f, 'verdant_actor_dead_letters_total').type).toBe('counter')
    expect(value(f, 'verdant_actors_live', { system: 'back\\slash' })).toBe('1')
    expect(family(f, 'verdant_actors_live').samples).toHaveLength(2)
  })

  it('writes each executor under its name and kind, run times in seconds', () => {
    const f = parse(renderMetrics(snapshot))
    const render = { executor: 'render', kind: 'threads' }
    expect(value(f, 'verdant_executor_workers', render)).toBe('8')
    expect(value(f, 'verdant_executor_workers_busy', render)).toBe('3')
    expect(value(f, 'verdant_executor_jobs_queued', render)).toBe('7')
    expect(value(f, 'verdant_executor_jobs_completed_total', render)).toBe('1234')
    expect(value(f, 'verdant_executor_jobs_failed_total', render)).toBe('2')
    expect(value(f, 'verdant_executor_worker_crashes_total', render)).toBe('1')
    expect(value(f, 'verdant_executor_job_run_seconds', { ...render, quantile: '0.5' })).toBe('0.0015')
    expect(value(f, 'verdant_executor_job_run_seconds', { ...render, quantile: '0.99' })).toBe('0.25')
    const weird = { executor: WEIRD, kind: 'processes' }
    expect(value(f, 'verdant_executor_jobs_completed_total', weird)).toBe('9007199254740992')
    expect(value(f, 'verdant_executor_job_run_seconds', { ...weird, quantile: '0.5' })).toBe('NaN')
    expect(value(f, 'verdant_executor_job_run_seconds', { ...weird, quantile: '0.99' })).toBe('+Inf')
    for (const name of ['verdant_executor_workers', 'verdant_executor_jobs_completed_total']) {
      expect(family(f, name).samples).toHaveLength(2)
    }
    expect(family(f, 'verdant_executor_job_run_seconds').samples).toHaveLength(4)
  })

  it('writes each named queue, its maxsize only when bounded', () => {
    const f = parse(renderMetrics(snapshot))
    expect(value(f, 'verdant_queue_size', { queue: 'jobs' })).toBe('7')
    expect(value(f, 'verdant_queue_maxsize', { queue: 'jobs' })).toBe('10')
    expect(value(f, 'verdant_queue_getters', { queue: 'jobs' })).toBe('0')
    expect(value(f, 'verdant_queue_putters', { queue: 'jobs' })).toBe('2')
    expect(value(f, 'verdant_queue_size', { queue: WEIRD })).toBe('3')
    expect(value(f, 'verdant_queue_getters', { queue: WEIRD })).toBe('1')
    expect(value(f, 'verdant_queue_putters', { queue: WEIRD })).toBe('0')
    // Unbounded: no sample rather than +Inf.
    expect(family(f, 'verdant_queue_maxsize').samples.map((x) => x.labels['queue'])).toEqual(['jobs'])
    for (const name of ['verdant_queue_size', 'verdant_queue_getters', 'verdant_queue_putters']) {
      expect(family(f, name).type).toBe('gauge')
      expect(family(f, name).samples).toHaveLength(2)
      // The one label is the queue's name, not its kind.
      for (const x of family(f, name).samples) expect(Object.keys(x.labels)).toEqual(['queue'])
    }
    // All queues unbounded: the maxsize family has no samples and is left out.
    const unbounded = parse(renderMetrics({ ...empty, queues: [queue({ name: 'inbox', size: 1 })] }))
    expect(unbounded.has('verdant_queue_maxsize')).toBe(false)
    expect(value(unbounded, 'verdant_queue_size', { queue: 'inbox' })).toBe('1')
  })

  it('writes each named task pool under its name, the counts of its tasks as counters', () => {
    const f = parse(renderMetrics(snapshot))
    const crawlers = { pool: 'crawlers' }
    expect(value(f, 'verdant_pool_size', crawlers)).toBe('4')
    expect(value(f, 'verdant_pool_tasks_running', crawlers)).toBe('4')
    expect(value(f, 'verdant_pool_tasks_waiting', crawlers)).toBe('12')
    expect(value(f, 'verdant_pool_tasks_completed_total', crawlers)).toBe('310')
    expect(value(f, 'verdant_pool_tasks_failed_total', crawlers)).toBe('6')
    expect(value(f, 'verdant_pool_tasks_cancelled_total', crawlers)).toBe('2')
    const weird = { pool: WEIRD }
    // An unbounded pool: its size is +Inf.
    expect(value(f, 'verdant_pool_size', weird)).toBe('+Inf')
    expect(value(f, 'verdant_pool_tasks_running', weird)).toBe('1')
    expect(value(f, 'verdant_pool_tasks_waiting', weird)).toBe('0')
    expect(value(f, 'verdant_pool_tasks_completed_total', weird)).toBe('9007199254740992')
    const types = {
      verdant_pool_size: 'gauge',
      verdant_pool_tasks_running: 'gauge',
      verdant_pool_tasks_waiting: 'gauge',
      verdant_pool_tasks_completed_total: 'counter',
      verdant_pool_tasks_failed_total: 'counter',
      verdant_pool_tasks_cancelled_total: 'counter',
    }
    for (const [name, type] of Object.entries(types)) {
      expect(family(f, name).type, name).toBe(type)
      expect(family(f, name).samples).toHaveLength(2)
      for (const x of family(f, name).samples) expect(Object.keys(x.labels)).toEqual(['pool'])
    }
    expect(renderMetrics(snapshot)).toContain('verdant_pool_tasks_running{pool="a\\"b\\\\c\\nd"} 1\n')
  })

  it("writes each cluster member's heartbeat age in seconds, under its status", () => {
    const f = parse(renderMetrics(snapshot))
    const name = 'verdant_cluster_member_heartbeat_age_seconds'
    expect(family(f, name).type).toBe('gauge')
    expect(value(f, name, { cluster: 'prod', member: 'node-a', status: 'up' })).toBe('0')
    expect(value(f, name, { cluster: 'prod', member: 'node-b', status: 'up' })).toBe('1.25')
    expect(value(f, name, { cluster: 'prod', member: 'node-c', status: 'unreachable' })).toBe('9')
    expect(family(f, name).samples).toHaveLength(3)
    for (const x of family(f, name).samples)
      expect(Object.keys(x.labels).sort()).toEqual(['cluster', 'member', 'status'])
  })

  it('writes no per-actor series and nothing of the slow steps', () => {
    const text = renderMetrics(snapshot)
    const f = parse(text)
    // Per-actor series would grow with the actors; a rate is for Prometheus' rate() to compute.
    expect(text).not.toContain('/user/x')
    expect(text).not.toContain('812.5')
    for (const fam of f.values()) {
      expect(fam.name).not.toMatch(/per_second|handled|stash|restart|failure|slow/)
      for (const x of fam.samples) expect(Object.keys(x.labels)).not.toContain('actor')
    }
    expect(text).not.toContain('ingest')
    expect(text).not.toContain('Ping')
    // The per-system totals are still there.
    expect(value(f, 'verdant_actor_mailbox_messages', { system: 'app' })).toBe('30')
  })

  it('escapes backslash, quote and newline in label values', () => {
    const text = renderMetrics(snapshot)
    expect(text).toContain('verdant_executor_workers{executor="a\\"b\\\\c\\nd",kind="processes"} 4\n')
    expect(text).toContain('verdant_actors_live{system="back\\\\slash"} 1\n')
    expect(text).toContain('verdant_queue_size{queue="a\\"b\\\\c\\nd"} 3\n')
    // No raw newline got into a line: every line is a comment or parses as a sample.
    for (const line of text.slice(0, -1).split('\n')) {
      if (!line.startsWith('#')) expect(() => parseSample(line)).not.toThrow()
    }
  })

  it('renders numbers without exponent noise, and non-finite values by their spelling', () => {
    const at = (ms: number): string =>
      value(
        parse(renderMetrics({ ...empty, process: { ...empty.process, uptimeMs: ms } })),
        'verdant_process_uptime_seconds',
      )
    expect(at(0)).toBe('0')
    expect(at(-0)).toBe('0')
    expect(at(1)).toBe('0.001')
    expect(at(1000)).toBe('1')
    expect(at(0.1 + 0.2)).toBe('0.00030000000000000004')
    expect(at(-2.5)).toBe('-0.0025')
    expect(at(1e21)).toBe('1000000000000000000')
    expect(at(1e300)).toBe('1e297')
    expect(at(1.5e-300)).toBe('1.5e-303')
    expect(at(NaN)).toBe('NaN')
    expect(at(Infinity)).toBe('+Inf')
    expect(at(-Infinity)).toBe('-Inf')
    const heap = (bytes: number): string =>
      value(
        parse(renderMetrics({ ...empty, process: { ...empty.process, heapUsedBytes: bytes } })),
        'verdant_process_heap_used_bytes',
      )
    expect(heap(123_456_789)).toBe('123456789')
    // Past 2^53 the shortest digits that read back as the same double, as Number#toString gives.
    expect(heap(2 ** 60)).toBe('1152921504606847000')
    expect(Number(heap(2 ** 60))).toBe(2 ** 60)
    expect(heap(0.5)).toBe('0.5')
  })

  it('merges executors and systems that share their labels, since duplicate series break a scrape', () => {
    const f = parse(
      renderMetrics({
        ...empty,
        actorSystems: [
          {
            name: 'verdant',
            actors: 2,
            mailboxes: 1,
            deadLetters: 3,
            deadLettersPerSec: 0,
            lastDeadLetters: [],
            rows: [],
          },
          {
            name: 'verdant',
            actors: 5,
            mailboxes: 0,
            deadLetters: 4,
            deadLettersPerSec: 0,
            lastDeadLetters: [],
            rows: [],
          },
        ],
        executors: [
          executor({ name: 'threads', kind: 'threads', size: 2, completed: 10, runMs: { p50: 1, p99: 9 } }),
          executor({ name: 'threads', kind: 'threads', size: 3, completed: 5, runMs: { p50: 2, p99: 4 } }),
          executor({ name: 'threads', kind: 'processes', size: 1 }),
        ],
      }),
    )
    expect(value(f, 'verdant_actors_live', { system: 'verdant' })).toBe('7')
    expect(value(f, 'verdant_actor_dead_letters_total', { system: 'verdant' })).toBe('7')
    const threads = { executor: 'threads', kind: 'threads' }
    expect(value(f, 'verdant_executor_workers', threads)).toBe('5')
    expect(value(f, 'verdant_executor_jobs_completed_total', threads)).toBe('15')
    expect(value(f, 'verdant_executor_job_run_seconds', { ...threads, quantile: '0.99' })).toBe('0.009')
    expect(value(f, 'verdant_executor_workers', { executor: 'threads', kind: 'processes' })).toBe('1')
  })

  it('merges task pools of one name', () => {
    const f = parse(
      renderMetrics({
        ...empty,
        pools: [
          pool({ name: 'crawlers', size: 2, running: 2, waiting: 3, completed: 10, failed: 1, cancelled: 0 }),
          pool({ name: 'other', size: 1, running: 1 }),
          pool({ name: 'crawlers', size: 4, running: 1, waiting: 0, completed: 5, failed: 2, cancelled: 7 }),
        ],
      }),
    )
    const crawlers = { pool: 'crawlers' }
    expect(value(f, 'verdant_pool_size', crawlers)).toBe('6')
    expect(value(f, 'verdant_pool_tasks_running', crawlers)).toBe('3')
    expect(value(f, 'verdant_pool_tasks_waiting', crawlers)).toBe('3')
    expect(value(f, 'verdant_pool_tasks_completed_total', crawlers)).toBe('15')
    expect(value(f, 'verdant_pool_tasks_failed_total', crawlers)).toBe('3')
    expect(value(f, 'verdant_pool_tasks_cancelled_total', crawlers)).toBe('7')
    expect(value(f, 'verdant_pool_size', { pool: 'other' })).toBe('1')
    expect(family(f, 'verdant_pool_size').samples.map((x) => x.labels['pool'])).toEqual(['crawlers', 'other'])
  })

  it('merges queues of one name, and a member two nodes of the process both list', () => {
    const f = parse(
      renderMetrics({
        ...empty,
        queues: [
          queue({ name: 'jobs', size: 2, maxsize: 5, putters: 1 }),
          queue({ name: 'jobs', kind: 'LifoQueue', size: 3, maxsize: 4, getters: 2 }),
          queue({ name: 'mixed', maxsize: 3 }),
          queue({ name: 'mixed', maxsize: Infinity }),
        ],
        clusters: [
          {
            name: 'c',
            node: 'a',
            members: [
              { id: 'a', status: 'up', heartbeatAgeMs: 0 },
              { id: 'b', status: 'up', heartbeatAgeMs: 700 },
            ],
          },
          {
            name: 'c',
            node: 'b',
            members: [
              { id: 'a', status: 'up', heartbeatAgeMs: 300 },
              { id: 'b', status: 'up', heartbeatAgeMs: 0 },
            ],
          },
          { name: 'other', node: 'x', members: [{ id: 'a', status: 'up', heartbeatAgeMs: 0 }] },
        ],
      }),
    )
    expect(value(f, 'verdant_queue_size', { queue: 'jobs' })).toBe('5')
    expect(value(f, 'verdant_queue_maxsize', { queue: 'jobs' })).toBe('9')
    expect(value(f, 'verdant_queue_getters', { queue: 'jobs' })).toBe('2')
    expect(value(f, 'verdant_queue_putters', { queue: 'jobs' })).toBe('1')
    // One of them unbounded: so is the pair.
    expect(family(f, 'verdant_queue_maxsize').samples).toHaveLength(1)
    expect(family(f, 'verdant_queue_size').samples).toHaveLength(2)
    const age = 'verdant_cluster_member_heartbeat_age_seconds'
    expect(value(f, age, { cluster: 'c', member: 'a' })).toBe('0')
    expect(value(f, age, { cluster: 'c', member: 'b' })).toBe('0')
    expect(value(f, age, { cluster: 'other', member: 'a' })).toBe('0')
    expect(family(f, age).samples).toHaveLength(3)
  })

  it('renders an empty snapshot as valid text with the process and task families', () => {
    const text = renderMetrics(empty)
    const f = parse(text)
    expect([...f.keys()].sort()).toEqual([
      'verdant_process_event_loop_delay_seconds',
      'verdant_process_heap_used_bytes',
      'verdant_process_resident_memory_bytes',
      'verdant_process_uptime_seconds',
      'verdant_tasks_cancelled_total',
      'verdant_tasks_failed_total',
      'verdant_tasks_live',
    ])
    expect(value(f, 'verdant_tasks_live')).toBe('0')
    expect(value(f, 'verdant_tasks_failed_total')).toBe('0')
    expect(text).not.toContain('system=')
    expect(text).not.toContain('executor=')
    expect(text).not.toContain('queue=')
    expect(text).not.toContain('pool=')
    expect(text).not.toContain('cluster=')
  })

  it('does not change the snapshot and gives the same text twice', () => {
    const frozen = structuredClone(snapshot)
    expect(renderMetrics(snapshot)).toBe(renderMetrics(snapshot))
    expect(snapshot).toEqual(frozen)
  })
})
