/**
 * `schema`: builds objects; belongs in a transactional migration. `connection-setting`: lasts
 * only for one connection (SQLite `PRAGMA foreign_keys`, PostgreSQL `SET`); `advice` says where
 * it belongs instead, in words that do not repeat the statement, so that one advice can cover
 * many. `lasting-setting`: stored in the database but ignored inside a transaction (SQLite
 * `PRAGMA journal_mode`); `undo` is the statement that reverts it. `left-out`: not for a
 * migration at all (a psql command such as pg_dump's `\restrict`, an `OWNER TO` that names a
 * role of one environment); `reason` says why. A `schema` statement with a `rewrite` belongs in
 * the migration in that form instead (pg_dump's `SET check_function_bodies = false` as `SET LOCAL`,
 * so it ends with the migration's transaction); `note` says why, in words that do not repeat it.
 */
export type StatementRole =
  | { readonly kind: 'schema'; readonly rewrite?: { readonly text: string; readonly note: string } }
  | { readonly kind: 'connection-setting'; readonly advice: string }
  | { readonly kind: 'lasting-setting'; readonly undo: string }
  | { readonly kind: 'left-out'; readonly reason: string }

/**
 * A statement that only a client such as psql can run, as `DialectText.clientOnly` reports it:
 * a command of the client itself (psql's `\connect`), or one whose data travels through the
 * client (`COPY … FROM STDIN` with its rows written below it). `command` names it in a few words
 * (`COPY … FROM STDIN`, `\connect`); `fix` says, in whole sentences, why mig cannot run it and
 * what to write instead.
 */
export interface ClientOnlyStatement {
  readonly command: string
  readonly fix: string
}
