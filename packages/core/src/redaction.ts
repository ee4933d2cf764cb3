const MASK = '***'

// Regular expressions rather than `new URL()`: a URL that does not parse must be redacted too,
// and `new URL()` would reject it. The user part runs to the last `@` of the URL (before `?` or
// `#`), so a password holding unescaped `@` and `/` is masked whole; it stops where another URL
// starts, so that URLs in a list (`--only url1,url2`) keep their hosts.
const URL_CREDENTIALS =
  /\b([a-z][a-z0-9+.-]*:\/\/)((?:(?![a-z][a-z0-9+.-]*:\/\/)[^?#\s@])*(?:@(?:(?![a-z][a-z0-9+.-]*:\/\/)[^?#\s@])*)*)@/gi
// `sslpassword` is libpq's passphrase of the client key.
const PASSWORD_PARAMETER = /([?&](?:password|pass|pwd|sslpassword)=)([^&#\s]*)/gi
// A password with an unescaped `?` or `#` defeats URL_CREDENTIALS; the user part of a URL on its
// own (a fleet target's id, a flag's value) still ends at its last `@`.
const WHOLE_URL_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/[^:@]*):(.*)@([^@]*)$/i
// What WHOLE_URL_CREDENTIALS takes for a password is a span over several URLs of a list when it
// holds another URL's start (`--only postgres://a:***@h/1,postgres://a:***@h/2`): not a password.
const URL_START = /[a-z][a-z0-9+.-]*:\/\//i
// A URL given on its own without its scheme or its `//` (`app:s3cret@db/app`, `postgres:/app:s3cret@db/app`).
const LOOSE_URL_CREDENTIALS = /^((?:[a-z][a-z0-9+.-]*:\/?)?[^\s:@/]+):(\S*)@([^\s@]*)$/i
// A libpq connection string of key/value pairs (`host=db password=s3cret dbname=app`), given
// whole: mig does not take one, and refusing it must not print its password.
const KEY_VALUE = String.raw`[a-z_]+\s*=\s*(?:'(?:[^'\\]|\\.)*'|[^\s']\S*)`
const KEY_VALUE_STRING = new RegExp(String.raw`^\s*${KEY_VALUE}(?:\s+${KEY_VALUE})*\s*$`, 'i')
const KEY_VALUE_PASSWORD = /(^|\s)((?:password|sslpassword)\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']\S*)/gi

/** The URL with its password (in the user part or a `password=` parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  const redacted = url
    .replace(URL_CREDENTIALS, (_match, scheme: string, userInfo: string) => {
      const colon = userInfo.indexOf(':')
      return colon < 0 ? `${scheme}${userInfo}@` : `${scheme}${userInfo.slice(0, colon)}:${MASK}@`
    })
    .replace(PASSWORD_PARAMETER, (_match, name: string) => `${name}${MASK}`)
  if (KEY_VALUE_STRING.test(redacted))
    return redacted.replace(KEY_VALUE_PASSWORD, (_match, space: string, name: string) => `${space}${name}${MASK}`)
  const loose = looseUrlCredentials(redacted)
  if (loose) return `${loose[1]}:${MASK}@${loose[3]}`
  const whole = /\s/.test(redacted) ? undefined : wholeUrlCredentials(redacted)
  return whole && /[?#]/.test(whole[2] ?? '') ? `${whole[1]}:${MASK}@${whole[3]}` : redacted
}

/** The parts of a URL standing alone that lacks its scheme or its `//`; undefined for anything else. */
function looseUrlCredentials(text: string): RegExpExecArray | undefined {
  return URL_START.test(text) ? undefined : (LOOSE_URL_CREDENTIALS.exec(text.trim()) ?? undefined)
}

/** The passwords of a key/value connection string given whole, as written and unquoted. */
function keyValuePasswords(text: string): string[] {
  if (!KEY_VALUE_STRING.test(text)) return []
  return [...text.matchAll(KEY_VALUE_PASSWORD)].flatMap(([, , , value = '']) =>
    value.startsWith("'") ? [value, value.slice(1, -1).replace(/\\(.)/g, '$1')] : [value],
  )
}

/** The parts of a URL standing alone whose user part runs to its last `@`; undefined for a list of URLs. */
function wholeUrlCredentials(text: string): RegExpExecArray | undefined {
  const whole = WHOLE_URL_CREDENTIALS.exec(text)
  return whole && !URL_START.test(whole[2] ?? '') ? whole : undefined
}

/** Every form in which the URL's password could show up in a message: as written and decoded. */
export function secretsOf(url: string): string[] {
  const secrets = new Set<string>()
  for (const match of url.matchAll(URL_CREDENTIALS)) {
    const userInfo = match[2] ?? ''
    const colon = userInfo.indexOf(':')
    if (colon >= 0) secrets.add(userInfo.slice(colon + 1))
  }
  const whole = wholeUrlCredentials(url.trim())
  if (whole?.[2]) secrets.add(whole[2])
  for (const match of url.matchAll(PASSWORD_PARAMETER)) secrets.add(match[2] ?? '')
  const loose = looseUrlCredentials(url)
  if (loose?.[2]) secrets.add(loose[2])
  for (const password of keyValuePasswords(url)) secrets.add(password)
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
 * The passwords of a URL worth scrubbing wherever they appear. Replacing a one- to
 * three-character password everywhere would garble every message; such a password is still
 * removed from any URL that carries it.
 */
function scrubbedSecretsOf(url: string): string[] {
  return secretsOf(url).filter((secret) => secret.length >= 4)
}

/**
 * The one redaction of secrets. Scrubs passwords out of text: every URL's password, and the
 * passwords of the URLs it was told about wherever they appear. The CLI passes every line, JSON
 * value and error message through one instance; a driver masks its connection errors with it.
 *
 * Every string is scanned for every remembered password, so remember only the few that any
 * message may carry (the command line's, the environment's); for the messages of one target
 * among many, use {@link forUrl}.
 */
export class Redactor {
  private readonly secrets = new Set<string>()
  /** The redactor this one was made from by {@link forUrl}, whose secrets it scrubs too. */
  private shared: Redactor | undefined

  /** Remembers the password of a URL so it is scrubbed even where it appears without the URL. */
  addUrl(url: string): void {
    for (const secret of scrubbedSecretsOf(url)) this.secrets.add(secret)
  }

  /**
   * A redactor for the messages of one target of a fleet: it scrubs the password of `url` and
   * every password this one remembers, while this one learns nothing. Redacting a line then
   * costs the same for the 20,000th target as for the first, and nothing is kept per target.
   */
  forUrl(url: string): Redactor {
    const secrets = scrubbedSecretsOf(url)
    if (secrets.length === 0) return this
    const redactor = new Redactor()
    for (const secret of secrets) redactor.secrets.add(secret)
    redactor.shared = this
    return redactor
  }

  redact(text: string): string {
    return this.scrub(redactUrl(text))
  }

  private scrub(text: string): string {
    let result = text
    for (const secret of this.secrets) result = result.split(secret).join(MASK)
    return this.shared ? this.shared.scrub(result) : result
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
