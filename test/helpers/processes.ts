// What tests that start processes need to check none is left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs'

/** Whether a process with this pid exists (EPERM: it exists, owned by another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}

/** Pids whose parent is `ppid`, from /proc (field 4 of /proc/<pid>/stat); undefined without /proc. */
export function childrenOf(ppid: number): number[] | undefined {
  if (!existsSync('/proc/self/stat')) return undefined
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === ppid) out.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** Pids of `pid`'s children, their children and so on; undefined without /proc. */
export function descendantsOf(pid: number): number[] | undefined {
  const children = childrenOf(pid)
  if (children === undefined) return undefined
  return children.flatMap((c) => [c, ...(descendantsOf(c) ?? [])])
}
