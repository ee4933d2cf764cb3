import { hash } from 'node:crypto'

/**
 * Removes a UTF-8 byte order mark and turns CRLF into LF, so a file checked out on Windows
 * has the same checksum, and the same line numbers, as on Linux.
 */
export function normaliseText(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  return withoutBom.includes('\r\n') ? withoutBom.replace(/\r\n/g, '\n') : withoutBom
}

/**
 * `sha256:<hex>` of the normalised text. The algorithm travels with the value so that the rule
 * can change later without invalidating databases that hold the old one.
 */
export function checksumOf(text: string): string {
  return `sha256:${hash('sha256', normaliseText(text), 'hex')}`
}
