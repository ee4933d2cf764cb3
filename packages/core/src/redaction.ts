const MASK = '***'

// Regular expressions rather than `new URL()`: a URL that does not parse must be redacted too,
// and `new URL()` would reject it. The user part runs to the last `@` of the URL (before `?` or
// `#`), so a password holding unescaped `@` and `/` is masked whole.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^?#\s@]*(?:@[^?#\s@]*)*)@/gi
const PASSWORD_PARAMETER = /([?&](?:password|pass|pwd)=)([^&#\s]*)/gi

/** The URL with its password (in the user part or a `password=` parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  return url
    .replace(URL_CREDENTIALS, (_match, scheme: string, userInfo: string) => {
      const colon = userInfo.indexOf(':')
      return colon < 0 ? `${scheme}${userInfo}@` : `${scheme}${userInfo.slice(0, colon)}:${MASK}@`
    })
    .replace(PASSWORD_PARAMETER, (_match, name: string) => `${name}${MASK}`)
}

/** Every form in which the URL's password could show up in a message: as written and decoded. */
export function secretsOf(url: string): string[] {
  const secrets = new Set<string>()
  for (const match of url.matchAll(URL_CREDENTIALS)) {
    const userInfo = match[2] ?? ''
    const colon = userInfo.indexOf(':')
    if (colon >= 0) secrets.add(userInfo.slice(colon + 1))
  }
  // A password with an unescaped `/`, `?` or `#` defeats the pattern above; the user part of a
  // connection URL still ends at its last `@`.
  const leniently = /^[a-z][a-z0-9+.-]*:\/\/([^:@]*):(.*)@[^@]*$/i.exec(url.trim())
  if (leniently?.[2]) secrets.add(leniently[2])
  for (const match of url.matchAll(PASSWORD_PARAMETER)) secrets.add(match[2] ?? '')
  for (const secret of [...secrets]) {
    try {
      secrets.add(decodeURIComponent(secret))
    } catch {
      // A malformed escape cannot appear decoded anywhere either.
    }
  }
  return [...secrets].filter((secret) => secret.length > 0)
}

/**
 * The one redaction of secrets. Scrubs passwords out of text: every URL's password, and the
 * passwords of the URLs it was told about wherever they appear. The CLI passes every line, JSON
 * value and error message through one instance; a driver masks its connection errors with it.
 */
export class Redactor {
  private readonly secrets = new Set<string>()

  /** Remembers the password of a URL so it is scrubbed even where it appears without the URL. */
  addUrl(url: string): void {
    // Replacing a one- to three-character password everywhere would garble every message; such
    // a password is still removed from any URL that carries it.
    for (const secret of secretsOf(url)) if (secret.length >= 4) this.secrets.add(secret)
  }

  redact(text: string): string {
    let result = redactUrl(text)
    for (const secret of this.secrets) result = result.split(secret).join(MASK)
    return result
  }

  /** A copy of a JSON-ready value with every string redacted. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return value.map((item) => this.redactValue(item)) as T
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.redactValue(item)])) as T
    }
    return value
  }
}
