// A parent started with flags meant for its own entry (`-e`, `--input-type`) or its inspector still
// gets working executors; its loaders and preloads reach the workers.
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url))
const root = fileURLToPath(new URL('../..', import.meta.url))
/** The script the parent evaluates: both executors run a job reporting what its worker started with. */
const script = `import(${JSON.stringify(new URL('../fixtures/executor-flags.mjs', import.meta.url).href)}).then((m) => m.run())`

interface Seen {
  readonly execArgv: string[]
  readonly preloaded: string[]
  readonly loaded: string | null
}

/** Runs `node ...flags` (the script comes after them), returns what each executor's worker saw. */
async function parentWith(flags: string[]): Promise<{ thread: Seen; process: Seen; stderr: string }> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, flags, {
    cwd: root,
    timeout: 15_000,
  })
  // `-p` also prints the script's value (a pending promise), after the report on some Nodes.
  const last =
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .at(-1) ?? ''
  return { ...(JSON.parse(last) as { thread: Seen; process: Seen }), stderr }
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

const kinds = ['thread', 'process'] as const

describe('the flags a worker inherits from its parent', () => {
  it.each([
    ['--input-type=module -e', ['--input-type=module', '-e', script]],
    ['--input-type module --eval', ['--input-type', 'module', '--eval', script]],
    ['--eval=', [`--eval=${script}`]],
    ['-p', ['-p', script]],
  ])('entry-only flags are dropped: %s', async (_name, flags) => {
    const seen = await parentWith(flags)
    for (const kind of kinds) expect(seen[kind]).toEqual({ execArgv: [], preloaded: [], loaded: null })
  })

  it('--require and --import are kept: the preloads run in every worker', async () => {
    const cjs = fixture('executor-flags-preload.cjs')
    const esm = fixture('executor-flags-preload.mjs')
    const seen = await parentWith(['--require', cjs, `--import=${esm}`, '--input-type=module', '-e', script])
    for (const kind of kinds) {
      expect(seen[kind].execArgv).toEqual(['--require', cjs, `--import=${esm}`])
      expect(seen[kind].preloaded).toEqual(['require', 'import'])
    }
  })

  it.each([['--loader'], ['--experimental-loader']])(
    '%s is kept: the loader serves modules in every worker',
    async (flag) => {
      const loader = new URL('../fixtures/executor-flags-loader.mjs', import.meta.url).href
      const seen = await parentWith(['--no-warnings', flag, loader, '-e', script])
      for (const kind of kinds) {
        expect(seen[kind].execArgv).toEqual(['--no-warnings', flag, loader])
        expect(seen[kind].loaded).toBe('by the loader')
      }
    },
  )

  it.each([
    [
      '--inspect=host:port',
      (port: number) => [`--inspect=127.0.0.1:${String(port)}`],
      '--inspect=127.0.0.1:0',
    ],
    [
      '--inspect-port with --inspect',
      (port: number) => ['--inspect-port', String(port), '--inspect'],
      '--inspect=0',
    ],
  ])(
    'inspector flags are not shared (%s): no thread gets them, a child listens on a port of its own',
    async (_name, flags, child) => {
      const seen = await parentWith([...flags(await freePort()), '-e', script])
      expect(seen.thread.execArgv).toEqual([])
      expect(seen.process.execArgv).toEqual([child])
      expect(seen.stderr).not.toMatch(/address already in use/)
    },
  )

  it('process-wide flags do not stop threads when entry flags are dropped; children keep them', async () => {
    const seen = await parentWith(['--max-old-space-size=200', '--input-type=module', '-e', script])
    expect(seen.thread.execArgv).toEqual([])
    expect(seen.process.execArgv).toEqual(['--max-old-space-size=200'])
  })
})

// Nodes that strip types themselves are told not to, so every Node sees the case the hint is for.
const noStrip = (process.features as { typescript?: unknown }).typescript
  ? ['--no-experimental-strip-types']
  : []

describe('TypeScript task modules where Node does not strip types and tsx is missing', () => {
  it('an existing .ts module gets the tsx hint; a missing one is said to be missing, without it', async () => {
    const loader = new URL('../fixtures/executor-no-tsx-loader.mjs', import.meta.url).href
    const hint = new URL('../fixtures/executor-ts-hint.mjs', import.meta.url).href
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        ...noStrip,
        '--no-warnings',
        '--loader',
        loader,
        '-e',
        `import(${JSON.stringify(hint)}).then((m) => m.run())`,
      ],
      { cwd: root, timeout: 15_000 },
    )
    const seen = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<
      string,
      { existing: string; missing: string }
    >
    const missing = fixture('executor-missing-task.mts')
    for (const kind of kinds) {
      expect(seen[kind]?.existing).toMatch(/cannot load the TypeScript module .*executor-ts-task\.ts.*tsx/)
      expect(seen[kind]?.missing).toBe(`cannot run triple(): its module ${missing} does not exist`)
    }
  })
})
