/** A token of a SQLite statement: a word (keyword or name), a quoted name, a string, or a symbol. */
interface Token {
  readonly kind: 'word' | 'name' | 'string' | 'symbol'
  /** Lower-cased word, unquoted name, or the symbol itself. */
  readonly value: string
  readonly offset: number
  readonly end: number
}

/** A column definition as far as lint needs it. */
export interface SqliteColumn {
  readonly name: string
  /** The definition as written, without the name: `TEXT NOT NULL DEFAULT 'x'`. */
  readonly definition: string
  readonly notNull: boolean
  readonly primaryKey: boolean
  readonly unique: boolean
  /** `constant`: a literal; `expression`: CURRENT_TIMESTAMP or anything in parentheses. */
  readonly defaultValue: 'none' | 'null' | 'constant' | 'expression'
  readonly storedGenerated: boolean
  /** Whether it has a REFERENCES clause (a foreign key). */
  readonly references: boolean
  /** Offset of the column's name in the statement. */
  readonly offset: number
}

/** What a statement does, for the statements SQLite rules and the schema state care about. */
export type SqliteShape =
  | { readonly kind: 'create-table'; readonly table: string; readonly columns: readonly SqliteColumn[] }
  | {
      readonly kind: 'create-index'
      readonly name: string
      readonly table: string
      /** The columns it indexes; undefined when a key is an expression. */
      readonly columns: readonly string[] | undefined
    }
  | { readonly kind: 'create-trigger'; readonly name: string; readonly table: string }
  | { readonly kind: 'drop-table' | 'drop-index' | 'drop-trigger'; readonly name: string }
  | { readonly kind: 'rename-table'; readonly table: string; readonly to: string }
  | { readonly kind: 'add-column'; readonly table: string; readonly column: SqliteColumn }
  | { readonly kind: 'rename-column'; readonly table: string; readonly from: string; readonly to: string }
  | { readonly kind: 'drop-column'; readonly table: string; readonly column: string }
  | { readonly kind: 'insert'; readonly table: string }
  | { readonly kind: 'pragma'; readonly name: string }
  | { readonly kind: 'other' }

/** Reads the shape of one SQLite statement (as split by @mig/sqlite's splitter). */
export function shapeOfSqlite(text: string): SqliteShape {
  const tokens = tokenize(text)
  const reader = new TokenReader(tokens)
  if (reader.accept('create')) {
    reader.accept('temp') || reader.accept('temporary')
    if (reader.accept('table')) {
      skipIfNotExists(reader)
      const table = reader.qualifiedName()
      if (!table || !reader.accept('(')) return table ? { kind: 'create-table', table, columns: [] } : { kind: 'other' }
      return { kind: 'create-table', table, columns: columnsIn(text, reader) }
    }
    reader.accept('unique')
    if (reader.accept('index')) {
      skipIfNotExists(reader)
      const name = reader.qualifiedName()
      if (!name || !reader.accept('on')) return { kind: 'other' }
      const table = reader.qualifiedName() ?? ''
      return { kind: 'create-index', name, table, columns: reader.accept('(') ? indexedColumns(reader) : undefined }
    }
    if (reader.accept('trigger')) {
      skipIfNotExists(reader)
      const name = reader.qualifiedName()
      reader.skipUntil('on')
      return name && reader.accept('on') ? { kind: 'create-trigger', name, table: reader.qualifiedName() ?? '' } : { kind: 'other' }
    }
    return { kind: 'other' }
  }
  if (reader.accept('drop')) {
    const kind = reader.accept('table')
      ? 'drop-table'
      : reader.accept('index')
        ? 'drop-index'
        : reader.accept('trigger')
          ? 'drop-trigger'
          : undefined
    if (!kind) return { kind: 'other' }
    if (reader.accept('if')) reader.accept('exists')
    const name = reader.qualifiedName()
    return name ? { kind, name } : { kind: 'other' }
  }
  if (reader.accept('alter') && reader.accept('table')) {
    const table = reader.qualifiedName()
    if (!table) return { kind: 'other' }
    if (reader.accept('rename')) {
      if (reader.accept('to')) return { kind: 'rename-table', table, to: reader.qualifiedName() ?? '' }
      reader.accept('column')
      const from = reader.name()
      return from && reader.accept('to') ? { kind: 'rename-column', table, from, to: reader.name() ?? '' } : { kind: 'other' }
    }
    if (reader.accept('add')) {
      reader.accept('column')
      const end = tokens[tokens.length - 1]?.value === ';' ? tokens.length - 1 : tokens.length
      const column = columnAt(text, reader, end)
      return column ? { kind: 'add-column', table, column } : { kind: 'other' }
    }
    if (reader.accept('drop')) {
      reader.accept('column')
      const column = reader.name()
      return column ? { kind: 'drop-column', table, column } : { kind: 'other' }
    }
    return { kind: 'other' }
  }
  reader.rewind()
  if (reader.accept('insert') || reader.accept('replace')) {
    reader.skipUntil('into')
    return reader.accept('into') ? { kind: 'insert', table: reader.qualifiedName() ?? '' } : { kind: 'other' }
  }
  if (reader.accept('pragma')) {
    const name = reader.qualifiedName()
    return name ? { kind: 'pragma', name } : { kind: 'other' }
  }
  return { kind: 'other' }
}

function skipIfNotExists(reader: TokenReader): void {
  if (reader.accept('if')) reader.accept('not') && reader.accept('exists')
}

/** The plain columns of an index's key list, the reader standing just inside its parenthesis. */
function indexedColumns(reader: TokenReader): string[] | undefined {
  const columns: string[] = []
  for (;;) {
    const end = reader.endOfElement()
    const [name, ...rest] = reader.slice(end)
    const words = rest.map((token) => token.value)
    const plain = words.every((word, index) => word === 'asc' || word === 'desc' || word === 'collate' || words[index - 1] === 'collate')
    if (!name || name.kind === 'symbol' || name.kind === 'string' || !plain) return undefined
    columns.push(name.value)
    reader.seek(end)
    if (!reader.accept(',')) return columns
  }
}

const TABLE_CONSTRAINTS = new Set(['constraint', 'primary', 'unique', 'check', 'foreign'])

/** The column definitions of a CREATE TABLE, the reader standing just inside its parenthesis. */
function columnsIn(text: string, reader: TokenReader): SqliteColumn[] {
  const columns: SqliteColumn[] = []
  for (;;) {
    const end = reader.endOfElement()
    const first = reader.peek()
    if (first && !(first.kind === 'word' && TABLE_CONSTRAINTS.has(first.value))) {
      const column = columnAt(text, reader, end)
      if (column) columns.push(column)
    }
    reader.seek(end)
    if (!reader.accept(',')) return columns
  }
}

/** A column definition from the reader's position to token `end` (exclusive). */
function columnAt(text: string, reader: TokenReader, end: number): SqliteColumn | undefined {
  const nameToken = reader.peek()
  const name = reader.name()
  if (!name || !nameToken) return undefined
  const tokens = reader.slice(end)
  const words = tokens.map((token) => (token.kind === 'word' ? token.value : ''))
  const has = (...sequence: string[]) => words.some((_, index) => sequence.every((word, offset) => words[index + offset] === word))
  const defaultIndex = words.indexOf('default')
  const value = defaultIndex >= 0 ? tokens[defaultIndex + 1] : undefined
  let defaultValue: SqliteColumn['defaultValue'] = 'none'
  if (value) {
    if (value.kind === 'word' && value.value === 'null') defaultValue = 'null'
    else if (value.value === '(') defaultValue = parenthesizedDefault(tokens.slice(defaultIndex + 1))
    else if (value.kind === 'word' && /^current_(time|date|timestamp)$/.test(value.value)) defaultValue = 'expression'
    else defaultValue = 'constant'
  }
  const last = tokens[tokens.length - 1]
  return {
    name,
    definition: last ? text.slice(tokens[0]?.offset ?? last.offset, last.end) : '',
    notNull: has('not', 'null'),
    primaryKey: has('primary', 'key'),
    unique: has('unique'),
    defaultValue,
    storedGenerated: (has('generated') || has('as')) && has('stored'),
    references: has('references'),
    offset: nameToken.offset,
  }
}

/**
 * A default in parentheses, from its `(`: SQLite takes a literal, signed or not, as a constant
 * (`DEFAULT (0)`, `DEFAULT ('x')`); anything else in them is an expression it refuses on a table with rows.
 */
function parenthesizedDefault(tokens: readonly Token[]): SqliteColumn['defaultValue'] {
  let depth = 0
  while (tokens[depth]?.value === '(') depth++
  let index = tokens[depth]?.value === '-' || tokens[depth]?.value === '+' ? depth + 1 : depth
  const first = tokens[index]
  const next = tokens[index + 1]
  const blob = first?.kind === 'word' && first.value === 'x' && next?.kind === 'string' && next.offset === first.end
  const literal =
    blob ||
    first?.kind === 'string' ||
    (first?.kind === 'symbol' && /^[0-9]/.test(first.value)) ||
    (first?.kind === 'word' && ['true', 'false', 'null'].includes(first.value))
  index += blob ? 2 : 1
  const closing = tokens.slice(index, index + depth)
  if (!literal || closing.length !== depth || closing.some((token) => token.value !== ')')) return 'expression'
  return first?.value === 'null' ? 'null' : 'constant'
}

class TokenReader {
  private index = 0

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.index]
  }

  accept(word: string): boolean {
    const token = this.tokens[this.index]
    if (!token || token.value !== word || (token.kind !== 'word' && token.kind !== 'symbol')) return false
    this.index++
    return true
  }

  rewind(): void {
    this.index = 0
  }

  seek(index: number): void {
    this.index = index
  }

  skipUntil(word: string): void {
    while (this.index < this.tokens.length && !(this.tokens[this.index]?.kind === 'word' && this.tokens[this.index]?.value === word))
      this.index++
  }

  /** A name (bare or quoted); keywords used as names are accepted, as SQLite does. */
  name(): string | undefined {
    const token = this.tokens[this.index]
    if (!token || (token.kind !== 'word' && token.kind !== 'name' && token.kind !== 'string')) return undefined
    this.index++
    return token.value
  }

  /** `name` or `schema.name`; the `main` and `temp` schemas are left out. */
  qualifiedName(): string | undefined {
    const first = this.name()
    if (first === undefined || !this.accept('.')) return first
    const second = this.name()
    return first === 'main' || first === 'temp' ? second : `${first}.${second}`
  }

  /** Index of the `,` or `)` that ends the element starting here, at this parenthesis depth. */
  endOfElement(): number {
    let depth = 0
    for (let index = this.index; index < this.tokens.length; index++) {
      const value = this.tokens[index]?.value
      if (this.tokens[index]?.kind !== 'symbol') continue
      if (value === '(') depth++
      else if (value === ')') {
        if (depth === 0) return index
        depth--
      } else if (value === ',' && depth === 0) return index
    }
    return this.tokens.length
  }

  /** The tokens from here to `end` (exclusive). */
  slice(end: number): readonly Token[] {
    return this.tokens.slice(this.index, end)
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let index = 0
  while (index < text.length) {
    const char = text[index] as string
    if (/\s/.test(char)) {
      index++
    } else if (char === '-' && text[index + 1] === '-') {
      const end = text.indexOf('\n', index)
      index = end < 0 ? text.length : end
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2)
      index = end < 0 ? text.length : end + 2
    } else if (char === "'" || char === '"' || char === '`' || char === '[') {
      const close = char === '[' ? ']' : char
      let end = index + 1
      while (end < text.length && !(text[end] === close && text[end + 1] !== close)) end += text[end] === close ? 2 : 1
      const value = text.slice(index + 1, end).replaceAll(close + close, close)
      tokens.push({
        kind: char === "'" ? 'string' : 'name',
        value: char === "'" ? value : value.toLowerCase(),
        offset: index,
        end: end + 1,
      })
      index = end + 1
    } else if (/[A-Za-z_]/.test(char)) {
      let end = index + 1
      while (end < text.length && /[A-Za-z0-9_$]/.test(text[end] as string)) end++
      tokens.push({ kind: 'word', value: text.slice(index, end).toLowerCase(), offset: index, end })
      index = end
    } else if (/[0-9]/.test(char)) {
      let end = index + 1
      while (end < text.length && /[0-9.eE]/.test(text[end] as string)) end++
      tokens.push({ kind: 'symbol', value: text.slice(index, end), offset: index, end })
      index = end
    } else {
      tokens.push({ kind: 'symbol', value: char, offset: index, end: index + 1 })
      index++
    }
  }
  return tokens
}
