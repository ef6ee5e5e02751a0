/** The newest modification time under `path` (a file or a folder, searched recursively). */
export function newestMtime(path: string): number
/** True when `output` is missing or older than any of `inputs`. */
export function isStale(inputs: readonly string[], output: string): boolean
/** Runs `tsc -p <project>` for each part whose inputs changed; returns the projects it built. */
export function buildIfStale(root: string, log?: (line: string) => void): string[]
