/**
 * The package as a user receives it: `npm pack`, installed into a scratch project, then compiled under
 * the strictest settings a user may have (including `skipLibCheck: false`), loaded with `require()`
 * and `import`, and read for what an editor would show. The built `dist/` must be current: `npm test`
 * builds it first (`pretest`).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const repo = new URL('../../', import.meta.url).pathname
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string
  exports: Record<string, string | Record<string, string>>
  sideEffects: string[]
  repository?: { url: string }
  keywords?: string[]
  devDependencies: Record<string, string>
}
/** Every public entry point, as a user writes it: `verdant`, `verdant/worker`, ... */
const entries = Object.keys(manifest.exports)
  .filter((k) => k !== './package.json')
  .map((k) => (k === '.' ? manifest.name : `${manifest.name}/${k.slice(2)}`))

let scratch = ''
let installed = ''
let packedFiles: string[] = []

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

beforeAll(() => {
  // A stale dist/ would test yesterday's package; say so instead of passing on it.
  const built = statSync(join(repo, 'dist/index.d.ts')).mtimeMs
  if (newestMtime(join(repo, 'src')) > built)
    throw new Error('dist/ is older than src/: run `npm run build` first')
  scratch = mkdtempSync(join(tmpdir(), 'verdant-packed-'))
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], {
      cwd: repo,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[]
  const [info] = packed
  if (info === undefined) throw new Error('npm pack reported no package')
  packedFiles = info.files.map((f) => f.path)
  writeFileSync(
    join(scratch, 'package.json'),
    JSON.stringify({ name: 'user-project', private: true, type: 'module' }),
  )
  execFileSync(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--no-package-lock',
      `./${info.filename}`,
      // What a user of `verdant/remote` installs beside it (optional peer dependencies), at the
      // version this repository tests with.
      `@nats-io/transport-node@${manifest.devDependencies['@nats-io/transport-node'] ?? ''}`,
      `@nats-io/jetstream@${manifest.devDependencies['@nats-io/jetstream'] ?? ''}`,
      `@nats-io/kv@${manifest.devDependencies['@nats-io/kv'] ?? ''}`,
    ],
    { cwd: scratch, encoding: 'utf8' },
  )
  installed = join(scratch, 'node_modules', manifest.name)
}, 120_000)

afterAll(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true })
})

describe('the packed package', () => {
  it('ships the licence, the readme and the built files, and no tests or sources of its own', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']),
    )
    expect(packedFiles.filter((f) => !/^(LICENSE|README\.md|package\.json|dist\/.*)$/.test(f))).toEqual([])
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
  })

  it('names its repository and keywords, and lists only files that exist as having side effects', () => {
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//)
    expect(manifest.keywords?.length).toBeGreaterThan(5)
    for (const file of manifest.sideEffects) expect(packedFiles).toContain(file.replace(/^\.\//, ''))
  })

  it('has source maps that carry the source text, so stack traces and debuggers show real code', () => {
    const maps = packedFiles.filter((f) => f.endsWith('.js.map'))
    expect(maps.length).toBeGreaterThan(20)
    const missing: string[] = []
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(installed, file), 'utf8')) as {
        sources: string[]
        sourcesContent?: (string | null)[]
      }
      map.sources.forEach((source, i) => {
        const text = map.sourcesContent?.[i]
        if (typeof text !== 'string' || text.length === 0) missing.push(`${file}: ${source}`)
      })
    }
    expect(missing).toEqual([])
  })

  it('compiles in a strict user project with skipLibCheck off, importing every entry point', () => {
    const lines = entries.map((e, i) => `import * as entry${i} from '${e}'`)
    lines.push(`export const all = [${entries.map((_, i) => `entry${i}`).join(', ')}]`)
    writeFileSync(join(scratch, 'main.ts'), lines.join('\n') + '\n')
    const program = ts.createProgram([join(scratch, 'main.ts')], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(repo, 'node_modules/@types')],
    })
    const problems = ts.getPreEmitDiagnostics(program).map((d) =>
      ts.formatDiagnostic(d, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => scratch,
        getNewLine: () => '\n',
      }),
    )
    expect(problems).toEqual([])

    // What an editor offers after `x.`: no member of a public class or interface starts with `_`.
    const checker = program.getTypeChecker()
    const main = program.getSourceFile(join(scratch, 'main.ts'))
    if (main === undefined) throw new Error('main.ts was not compiled')
    const exposed: string[] = []
    for (const statement of main.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue
      const moduleSymbol = checker.getSymbolAtLocation(statement.moduleSpecifier)
      if (moduleSymbol === undefined) throw new Error(`cannot resolve ${statement.moduleSpecifier.text}`)
      for (let sym of checker.getExportsOfModule(moduleSymbol)) {
        if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym)
        const types: ts.Type[] = []
        if (sym.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface))
          types.push(checker.getDeclaredTypeOfSymbol(sym))
        const decl = sym.valueDeclaration
        if (sym.flags & ts.SymbolFlags.Class && decl !== undefined)
          types.push(checker.getTypeOfSymbolAtLocation(sym, decl))
        for (const type of types)
          for (const prop of checker.getPropertiesOfType(type))
            // Symbol-named members (`[Symbol.iterator]`) are named `__@...` by the checker.
            if (/^_(?!_@)/.test(prop.name))
              exposed.push(`${statement.moduleSpecifier.text}: ${sym.name}.${prop.name}`)
      }
    }
    expect([...new Set(exposed)]).toEqual([])
  })

  it.each(entries)('%s loads with require() and exports what import() exports', (entry) => {
    const script = `
      const viaRequire = Object.keys(require(${JSON.stringify(entry)})).sort()
      import(${JSON.stringify(entry)}).then((m) => {
        const viaImport = Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()
        console.log(JSON.stringify({ viaRequire, viaImport }))
      })`
    const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    })
    const { viaRequire, viaImport } = JSON.parse(out) as { viaRequire: string[]; viaImport: string[] }
    expect(viaRequire.length).toBeGreaterThan(0)
    expect(viaRequire.filter((k) => k !== '__esModule')).toEqual(viaImport)
  })
})
