import { mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/**
 * A file the `…Announced` task fixtures append a line to as they begin, and `started(n)`, which
 * resolves once `n` jobs have. A test that acts on a running job waits for this, not for a guessed
 * delay: a delay too short would act on a job still queued, and the test would pass on another path.
 * A file, not shared memory, so that jobs in child processes can say it too.
 */
export function jobStarts(): { path: string; started: (n?: number) => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'verdant-starts-'))
  const path = join(dir, 'starts')
  writeFileSync(path, '')
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  return { path, started: (n = 1) => linesIn(path, n) }
}

/** Resolves once the file at `path` holds `n` lines, woken by the file's changes. */
function linesIn(path: string, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(path)
    const fail = (err: unknown): void => {
      watcher.close()
      reject(err instanceof Error ? err : new Error(String(err)))
    }
    const look = (): void => {
      let lines: number
      try {
        lines = readFileSync(path, 'utf8').split('\n').length - 1
      } catch (err) {
        fail(err)
        return
      }
      if (lines < n) return
      watcher.close()
      resolve()
    }
    watcher.on('change', look)
    watcher.on('error', fail)
    // Lines written before the watch began raised no event.
    look()
  })
}
