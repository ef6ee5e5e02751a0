/** Waits one macrotask turn (every pending microtask and ready immediate runs first). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Collects lines. */
export function recorder(): { lines: string[]; print: (line: string) => void } {
  const lines: string[] = []
  return { lines, print: (line: string) => lines.push(line) }
}
