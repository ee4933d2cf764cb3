/** 1-based line and column of a character in a file. */
export interface FilePosition {
  readonly line: number
  readonly column: number
}

/**
 * Turns offsets in a section of a file into file positions. `firstLine` is the file line on
 * which the section starts. PostgreSQL's parser counts in UTF-8 bytes, so `fromBytes` converts
 * those first; for ASCII text the two agree and nothing is copied.
 */
export class SectionPositions {
  private readonly lineStarts: number[] = [0]
  private bytes: Buffer | undefined
  private readonly ascii: boolean

  constructor(
    private readonly text: string,
    private readonly firstLine: number,
  ) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, on purpose
    this.ascii = /^[\x00-\x7f]*$/.test(text)
    for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) this.lineStarts.push(index + 1)
  }

  at(offset: number): FilePosition {
    let low = 0
    let high = this.lineStarts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((this.lineStarts[middle] as number) <= offset) low = middle
      else high = middle - 1
    }
    return { line: this.firstLine + low, column: offset - (this.lineStarts[low] as number) + 1 }
  }

  /** The offset of a file position; the inverse of {@link at}. */
  offsetAt(position: FilePosition): number {
    return (this.lineStarts[position.line - this.firstLine] as number) + position.column - 1
  }

  /** The character offset of a UTF-8 byte offset. */
  fromBytes(byteOffset: number): number {
    if (this.ascii) return byteOffset
    this.bytes ??= Buffer.from(this.text, 'utf8')
    return this.bytes.subarray(0, byteOffset).toString('utf8').length
  }
}
