import { isUtf8 } from 'node:buffer'
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

const CARRIAGE_RETURN = 0x0d

/**
 * {@link checksumOf} the file's text, from its bytes as read: a file that is valid UTF-8 with no
 * byte order mark and no carriage return is its own normalised text, so it is hashed as it is,
 * without decoding it to a string and encoding it again. Any other file takes the text path,
 * which gives the same value.
 */
export function checksumOfBytes(bytes: Buffer): string {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
  if (hasBom || bytes.includes(CARRIAGE_RETURN) || !isUtf8(bytes)) return checksumOf(bytes.toString('utf8'))
  return `sha256:${hash('sha256', bytes, 'hex')}`
}
