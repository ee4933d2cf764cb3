/**
 * The thinnest session over each client, for the bare loop and the peers that take a
 * connection of the caller's (umzug, postgrator): `exec` runs a script, `run` a parameterised
 * statement, `all` a query. Placeholders are written `?` and turned into `$n` for PostgreSQL.
 * Clients are imported only for the dialect in use, so a process pays for one.
 */
export async function openSession(target) {
  if (target.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3')
    const database = new Database(target.filename)
    const statements = new Map()
    const prepared = (sql) => {
      let statement = statements.get(sql)
      if (!statement) {
        statement = database.prepare(sql)
        statements.set(sql, statement)
      }
      return statement
    }
    return {
      dialect: 'sqlite',
      database,
      async exec(sql) {
        database.exec(sql)
      },
      async run(sql, params = []) {
        prepared(sql).run(...params)
      },
      async all(sql, params = []) {
        return prepared(sql).all(...params)
      },
      async close() {
        database.close()
      },
    }
  }
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: target.url })
  await client.connect()
  const numbered = (sql) => {
    let index = 0
    return sql.replace(/\?/g, () => `$${++index}`)
  }
  return {
    dialect: 'postgres',
    client,
    async exec(sql) {
      await client.query(sql)
    },
    async run(sql, params = []) {
      await client.query(numbered(sql), params)
    },
    async all(sql, params = []) {
      return (await client.query(numbered(sql), params)).rows
    },
    async close() {
      await client.end()
    },
  }
}
