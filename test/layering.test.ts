/**
 * The layer order of `src/` (docs/design.md, "Layers"): every import that exists at run time goes
 * to a lower layer, never up and never sideways to a sibling, so each layer can be read, tested and
 * changed knowing only what is under it.
 *
 * Imports are read with the TypeScript parser, not a regex, so multi-line imports, `export ... from`
 * and `import('...')` with a literal all count. Type-only imports (`import type`, `export type`, and
 * `import { type X }` with nothing else) are not checked against the ranks: a type says nothing
 * about load order. They do count for the cycle check below, since under `verbatimModuleSyntax`
 * `import { type X } from 'm'` is emitted as `import {} from 'm'`, which still loads `m`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

/**
 * Bottom to top. A folder is written with its slash, a file directly in `src/` by its name; names on
 * one row are siblings, which must not import each other (`future/` and `sync/`, `executor/` and
 * `actor/`, `run.ts` and `worker.ts`). Where siblings were given an order instead, they sit on two
 * rows (`debug/` below `testing/`, whose leak check prints `dumpTasks()`).
 */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts'],
  ['platform/'],
  ['core/'],
  ['time/'],
  ['future/', 'sync/'],
  ['queue/'],
  ['pool/'],
  ['executor/', 'actor/'],
  // Actor refs and jobs across processes, over both actor/ and executor/.
  ['remote/'],
  ['debug/'],
  // The page and metrics: it reads what the layers below registered, and never loads remote/ (a
  // cluster node registers itself), so `verdant/observer` needs no NATS client.
  ['observer/'],
  // run()'s coordinated shutdown: over everything it closes, reading the registry, never observer/.
  ['shutdown/'],
  ['testing/'],
  ['run.ts', 'worker.ts'],
  ['index.ts'],
]

const RANK = new Map(LAYERS.flatMap((row, rank) => row.map((unit) => [unit, rank] as const)))

/** What a path under `src/` belongs to: its top folder (`core/`) or, directly in `src/`, its name. */
function unitOf(pathInSrc: string): string {
  const [first = '', ...rest] = pathInSrc.split('/')
  return rest.length > 0 ? `${first}/` : first
}

interface Edge {
  /** Path under `src/` of the importing file. */
  readonly from: string
  readonly line: number
  readonly specifier: string
  /** Path under `src/` of the imported file; undefined for a package or a `node:` module. */
  readonly to: string | undefined
  /** False for `import type`, `export type` and `import { type X }`-only imports. */
  readonly value: boolean
  /** False only for `import type` and `export type`: `import { type X }` alone still loads the module. */
  readonly loadsModule: boolean
}

/** `{ type A, type B }` with at least one name and no value name. */
function onlyTypes(elements: ts.NodeArray<ts.ImportSpecifier | ts.ExportSpecifier>): boolean {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly)
}

/** The imports of one file; `file` is its path under `src/`, which relative specifiers resolve from. */
function importsOf(file: string, text: string): Edge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const edges: Edge[] = []
  const add = (node: ts.Node, specifier: string, value: boolean, loadsModule: boolean): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1
    const to = specifier.startsWith('.')
      ? join(dirname(file), specifier).split(sep).join('/').replace(/\.js$/, '.ts')
      : undefined
    edges.push({ from: file, line, specifier, to, value, loadsModule })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const inlineTypes =
        clause !== undefined &&
        clause.name === undefined &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        onlyTypes(clause.namedBindings.elements)
      const typeOnly = clause?.phaseModifier === ts.SyntaxKind.TypeKeyword
      add(node, node.moduleSpecifier.text, !typeOnly && !inlineTypes, !typeOnly)
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const clause = node.exportClause
      const inlineTypes = clause !== undefined && ts.isNamedExports(clause) && onlyTypes(clause.elements)
      add(node, node.moduleSpecifier.text, !node.isTypeOnly && !inlineTypes, !node.isTypeOnly)
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node, node.arguments[0].text, true, true)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return edges
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

const files = sourceFiles(SRC).map((path) => relative(SRC, path).split(sep).join('/'))
const edges = files.flatMap((file) => importsOf(file, readFileSync(join(SRC, file), 'utf8')))
/** Imports of another file of `src/`, with the layer of each end. */
const internal = edges.flatMap((e) =>
  e.to === undefined ? [] : [{ ...e, to: e.to, fromUnit: unitOf(e.from), toUnit: unitOf(e.to) }],
)

describe('the layers of src/', () => {
  it('reads every kind of import and tells the type-only ones apart', () => {
    const text = [
      `import { a } from './a.js'`,
      `import {`,
      `  b,`,
      `  type B,`,
      `} from '../b.js'`,
      `import type { C } from './c.js'`,
      `import { type D } from './d.js'`,
      `import './e.js'`,
      `export { f } from './f.js'`,
      `export type { G } from './g.js'`,
      `export * from './h.js'`,
      `const i = await import('./i.js')`,
      `const j = await import(name)`,
      `type K = typeof import('./k.js')`,
      `import { l } from 'node:fs'`,
    ].join('\n')
    expect(
      importsOf('core/x.ts', text).map((e) => `${e.line} ${e.to ?? e.specifier} ${e.value} ${e.loadsModule}`),
    ).toEqual([
      '1 core/a.ts true true',
      '2 b.ts true true',
      '6 core/c.ts false false',
      '7 core/d.ts false true',
      '8 core/e.ts true true',
      '9 core/f.ts true true',
      '10 core/g.ts false false',
      '11 core/h.ts true true',
      '12 core/i.ts true true',
      '15 node:fs true true',
    ])
  })

  it('gives every folder and top-level file of src/ a rank, and ranks nothing that is gone', () => {
    const units = new Set(files.map(unitOf))
    expect([...units].filter((u) => !RANK.has(u)).sort()).toEqual([])
    expect([...RANK.keys()].filter((u) => !units.has(u))).toEqual([])
  })

  it('imports only from lower layers, never from a higher one or a sibling', () => {
    const offenders = internal.flatMap((e) => {
      if (!e.value || e.fromUnit === e.toUnit) return []
      const from = RANK.get(e.fromUnit)
      const to = RANK.get(e.toUnit)
      if (from === undefined || to === undefined)
        return [`src/${e.from}:${e.line} imports '${e.specifier}': ${e.toUnit} has no rank`]
      if (to < from) return []
      const where = to === from ? 'a sibling on the same layer as' : 'a higher layer than'
      return [`src/${e.from}:${e.line} imports '${e.specifier}': ${e.toUnit} is ${where} ${e.fromUnit}`]
    })
    expect(offenders).toEqual([])
  })

  it('has no import cycle between layers at run time', () => {
    // What loads what when the module graph is evaluated: every edge but `import type`/`export type`.
    const next = new Map<string, Map<string, (typeof internal)[number]>>()
    for (const e of internal) {
      if (!e.loadsModule || e.fromUnit === e.toUnit) continue
      const out = next.get(e.fromUnit) ?? new Map<string, (typeof internal)[number]>()
      if (!out.has(e.toUnit)) out.set(e.toUnit, e)
      next.set(e.fromUnit, out)
    }
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const path: (typeof internal)[number][] = []
    const walk = (unit: string): void => {
      state.set(unit, 'open')
      for (const [to, e] of next.get(unit) ?? []) {
        path.push(e)
        if (state.get(to) === 'open') {
          const loop = path.slice(path.findIndex((p) => p.fromUnit === to))
          cycles.push(loop.map((p) => `${p.fromUnit} -> ${p.toUnit} (src/${p.from}:${p.line})`).join(', '))
        } else if (state.get(to) === undefined) walk(to)
        path.pop()
      }
      state.set(unit, 'done')
    }
    for (const unit of [...next.keys()].sort()) if (state.get(unit) === undefined) walk(unit)
    expect(cycles).toEqual([])
  })
})
