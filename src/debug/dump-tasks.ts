/**
 * `dumpTasks()`: the live task tree as text, for a person asking a running service what it does.
 *
 * @module
 */
import { futureList } from '../core/join.js'
import { rootTasks } from '../core/registry.js'
import type { Task } from '../core/task.js'

function waits(t: Task<unknown>): string {
  const w = t._waitsOn()
  return w === undefined ? '' : ` [${w}]`
}

function age(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`
}

/**
 * Returns the tree of live tasks, one per line, indented under their parent: id, name, state, age,
 * and in brackets what it waits on (the observer page's words: `sleep, 2.0 s left`,
 * `queue "jobs": get`, `task "fetch"`, ...).
 *
 * @example
 * process.stderr.write(dumpTasks())
 * // #1 "main" running 12.3s [its children (1)]
 * //   #4 "worker" running 1.2s [queue "jobs": get]
 * @since 0.1.0
 */
export function dumpTasks(tasks: readonly Task<unknown>[] = rootTasks()): string {
  futureList('tasks', tasks, true)
  const now = performance.now()
  const lines: string[] = []
  const walk = (list: readonly Task<unknown>[], depth: number): void => {
    for (const t of list) {
      lines.push(
        `${'  '.repeat(depth)}#${t.id} ${JSON.stringify(t.name)} ${t.state} ${age(now - t.spawnedAt)}${waits(t)}`,
      )
      walk(t.children(), depth + 1)
    }
  }
  walk(tasks, 0)
  return lines.length === 0 ? '(no live tasks)\n' : `${lines.join('\n')}\n`
}
